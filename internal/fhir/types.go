// Package fhir holds the FHIR R4 resources Oikos speaks (ServiceRequest,
// Patient, Consent, Task, Communication, Bundle, CapabilityStatement,
// OperationOutcome), the strict reading of what GP systems send, and pure
// mappings between them and referrals. Only the elements Oikos reads or
// writes are modelled; r4_table.go knows the rest of R4 for checking.
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
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id,omitempty"`
	Identifier   []Identifier `json:"identifier,omitempty"`
	// Active, DeceasedBoolean and DeceasedDateTime are modifiers, read
	// only to refuse a record not in use or of someone who has died.
	Active           *bool          `json:"active,omitempty"`
	DeceasedBoolean  *bool          `json:"deceasedBoolean,omitempty"`
	DeceasedDateTime string         `json:"deceasedDateTime,omitempty"`
	Name             []HumanName    `json:"name,omitempty"`
	Telecom          []ContactPoint `json:"telecom,omitempty"`
	BirthDate        string         `json:"birthDate,omitempty"`
	Address          []Address      `json:"address,omitempty"`
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
	// DoNotPerform true turns the request into a prohibition: a modifier,
	// read only to refuse it.
	DoNotPerform   *bool             `json:"doNotPerform,omitempty"`
	Subject        *Reference        `json:"subject,omitempty"`
	AuthoredOn     string            `json:"authoredOn,omitempty"`
	Requester      *Reference        `json:"requester,omitempty"`
	ReasonCode     []CodeableConcept `json:"reasonCode,omitempty"`
	SupportingInfo []Reference       `json:"supportingInfo,omitempty"`
	Note           []Annotation      `json:"note,omitempty"`
}

// Consent is the person's agreement, as a GP system records it.
type Consent struct {
	ResourceType string     `json:"resourceType"`
	ID           string     `json:"id,omitempty"`
	Status       string     `json:"status"`
	Patient      *Reference `json:"patient,omitempty"`
	Provision    *struct {
		Type string `json:"type,omitempty"`
	} `json:"provision,omitempty"`
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
	Request  *BundleRequest  `json:"request,omitempty"`
}

// BundleRequest is what a transaction asks done with an entry.
type BundleRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
}

// BundleLink is a searchset's link to itself.
type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

type BundleSearch struct {
	Mode string `json:"mode,omitempty"`
}

type Bundle struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type"`
	Total        *int          `json:"total,omitempty"`
	Link         []BundleLink  `json:"link,omitempty"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

// OutcomeResource is an OperationOutcome resource (OperationOutcome, the
// function, builds one for an HTTP answer).
type OutcomeResource struct {
	ResourceType string  `json:"resourceType"`
	Issue        []Issue `json:"issue"`
}

type Issue struct {
	Severity    string   `json:"severity"`
	Code        string   `json:"code"`
	Diagnostics string   `json:"diagnostics,omitempty"`
	Expression  []string `json:"expression,omitempty"`
}
