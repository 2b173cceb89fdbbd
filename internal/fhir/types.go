// Package fhir holds the few FHIR R4 resources Oikos speaks (ServiceRequest,
// Patient, Task, Bundle, OperationOutcome) and pure mappings between them
// and referrals. Only the elements Oikos reads or writes are modelled.
package fhir

import "encoding/json"

// ContentType is the FHIR JSON media type, used in and out.
const ContentType = "application/fhir+json"

// Systems and extension URLs Oikos uses.
const (
	NHSNumberSystem  = "https://fhir.nhs.uk/Id/nhs-number"
	ConsentExtension = "https://oikos.example/fhir/StructureDefinition/consent"
	ShareExtension   = "https://oikos.example/fhir/StructureDefinition/share-with-providers"
	NeedsSystem      = "https://oikos.example/fhir/CodeSystem/needs"
	ReferenceSystem  = "https://oikos.example/fhir/Id/referral-reference"
	StatusSystem     = "https://oikos.example/fhir/CodeSystem/referral-status"
)

type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type Identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

type HumanName struct {
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
}

type Address struct {
	PostalCode string `json:"postalCode,omitempty"`
}

type ContactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

type Extension struct {
	URL          string `json:"url"`
	ValueBoolean *bool  `json:"valueBoolean,omitempty"`
}

type Annotation struct {
	Text string `json:"text"`
}

type Patient struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id,omitempty"`
	Identifier   []Identifier   `json:"identifier,omitempty"`
	Name         []HumanName    `json:"name,omitempty"`
	Telecom      []ContactPoint `json:"telecom,omitempty"`
	BirthDate    string         `json:"birthDate,omitempty"`
	Address      []Address      `json:"address,omitempty"`
}

type ServiceRequest struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Contained    []json.RawMessage `json:"contained,omitempty"`
	Extension    []Extension       `json:"extension,omitempty"`
	Identifier   []Identifier      `json:"identifier,omitempty"`
	Status       string            `json:"status"`
	Intent       string            `json:"intent"`
	Priority     string            `json:"priority,omitempty"`
	Subject      *Reference        `json:"subject,omitempty"`
	AuthoredOn   string            `json:"authoredOn,omitempty"`
	Requester    *Reference        `json:"requester,omitempty"`
	ReasonCode   []CodeableConcept `json:"reasonCode,omitempty"`
	Note         []Annotation      `json:"note,omitempty"`
}

type Task struct {
	ResourceType   string           `json:"resourceType"`
	ID             string           `json:"id,omitempty"`
	BasedOn        []Reference      `json:"basedOn,omitempty"`
	Status         string           `json:"status"`
	BusinessStatus *CodeableConcept `json:"businessStatus,omitempty"`
	Intent         string           `json:"intent"`
	For            *Reference       `json:"for,omitempty"`
	AuthoredOn     string           `json:"authoredOn,omitempty"`
	LastModified   string           `json:"lastModified,omitempty"`
}

type BundleEntry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource,omitempty"`
	Search   *BundleSearch   `json:"search,omitempty"`
}

type BundleSearch struct {
	Mode string `json:"mode,omitempty"`
}

type Bundle struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type"`
	Total        *int          `json:"total,omitempty"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

type OperationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []Issue `json:"issue"`
}

type Issue struct {
	Severity    string   `json:"severity"`
	Code        string   `json:"code"`
	Diagnostics string   `json:"diagnostics,omitempty"`
	Expression  []string `json:"expression,omitempty"`
}
