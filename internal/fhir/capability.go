package fhir

import (
	"runtime/debug"
	"strings"
	"time"
)

// What Oikos's FHIR server offers, as GET /fhir/metadata tells FHIR
// clients, which read it before anything else (fhir-kit-client's
// capabilityStatement, SMART's getFhirVersion).

// Capabilities is the R4 CapabilityStatement resource, with the elements
// Oikos writes (CapabilityStatement, the function, builds Oikos's).
type Capabilities struct {
	ResourceType   string              `json:"resourceType"`
	Status         string              `json:"status"`
	Date           string              `json:"date"`
	Publisher      string              `json:"publisher,omitempty"`
	Kind           string              `json:"kind"`
	Software       *CapabilitySoftware `json:"software,omitempty"`
	Implementation *CapabilityImpl     `json:"implementation,omitempty"`
	FHIRVersion    string              `json:"fhirVersion"`
	Format         []string            `json:"format"`
	Rest           []CapabilityRest    `json:"rest"`
}

// CapabilitySoftware names the software.
type CapabilitySoftware struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// CapabilityImpl is the running instance.
type CapabilityImpl struct {
	Description string `json:"description"`
	URL         string `json:"url,omitempty"`
}

// CapabilityRest is the REST server.
type CapabilityRest struct {
	Mode          string               `json:"mode"`
	Documentation string               `json:"documentation,omitempty"`
	Security      *CapabilitySecurity  `json:"security,omitempty"`
	Resource      []CapabilityResource `json:"resource"`
}

// CapabilitySecurity says how to authenticate.
type CapabilitySecurity struct {
	CORS        bool   `json:"cors"`
	Description string `json:"description,omitempty"`
}

// CapabilityResource is one resource type and what may be done with it.
type CapabilityResource struct {
	Type              string                `json:"type"`
	Documentation     string                `json:"documentation,omitempty"`
	Interaction       []CapabilityCode      `json:"interaction"`
	Versioning        string                `json:"versioning,omitempty"`
	ReadHistory       bool                  `json:"readHistory"`
	UpdateCreate      bool                  `json:"updateCreate"`
	ConditionalCreate bool                  `json:"conditionalCreate"`
	ConditionalRead   string                `json:"conditionalRead,omitempty"`
	ConditionalUpdate bool                  `json:"conditionalUpdate"`
	ConditionalDelete string                `json:"conditionalDelete,omitempty"`
	SearchParam       []CapabilitySearchArg `json:"searchParam,omitempty"`
}

// CapabilityCode is an interaction.
type CapabilityCode struct {
	Code string `json:"code"`
}

// CapabilitySearchArg is a search parameter a resource type supports.
type CapabilitySearchArg struct {
	Name          string `json:"name"`
	Definition    string `json:"definition,omitempty"`
	Type          string `json:"type"`
	Documentation string `json:"documentation,omitempty"`
}

// FHIRVersion is the version of FHIR Oikos speaks.
const FHIRVersion = "4.0.1"

// SoftwareVersion is the version of the running build: the module's
// version when built from a release, else the commit it was built from.
func SoftwareVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "development"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && s.Value != "" {
			return "development build " + s.Value[:min(12, len(s.Value))]
		}
	}
	return "development"
}

// basedOnParam is the one search both Task and Communication support.
func basedOnParam(resourceType string) []CapabilitySearchArg {
	return []CapabilitySearchArg{{Name: "based-on", Type: "reference", Definition: "http://hl7.org/fhir/SearchParameter/" + resourceType + "-based-on",
		Documentation: "The ServiceRequest the " + resourceType + " follows: based-on=ServiceRequest/{id}."}}
}

// CapabilityStatement says what this server offers: creating a referral
// as a ServiceRequest (or a transaction Bundle posted to the same place)
// and reading it back, following it as a Task, and reading the summary
// for the GP record as a Communication once it closes. baseURL is the
// server's FHIR base (like "https://oikos.example.org/fhir"); now dates
// the statement.
func CapabilityStatement(baseURL string, now time.Time) Capabilities {
	noVersions := func(r CapabilityResource) CapabilityResource {
		r.Versioning = "no-version"
		r.ConditionalRead, r.ConditionalDelete = "not-supported", "not-supported"
		return r
	}
	return Capabilities{
		ResourceType: "CapabilityStatement",
		Status:       "active",
		Date:         instant(now),
		Publisher:    "Oikos",
		Kind:         "instance",
		Software:     &CapabilitySoftware{Name: "Oikos", Version: SoftwareVersion()},
		Implementation: &CapabilityImpl{Description: "Oikos social prescribing: referrals from GP systems and what became of them",
			URL: strings.TrimSuffix(baseURL, "/")},
		FHIRVersion: FHIRVersion,
		Format:      []string{ContentType},
		Rest: []CapabilityRest{{
			Mode: "server",
			Documentation: "A GP system sends a referral as a ServiceRequest with its Patient contained (or a transaction Bundle of both) " +
				"and the person's consent as a contained Consent referenced from supportingInfo; it follows the referral as the Task " +
				"based on it, and reads the summary for the GP record as a Communication once the referral closes.",
			Security: &CapabilitySecurity{Description: "Every interaction but this statement needs Authorization: Bearer TOKEN, " +
				"a token Oikos issues to the user or system (oikos token create)."},
			Resource: []CapabilityResource{
				noVersions(CapabilityResource{Type: "ServiceRequest", Interaction: []CapabilityCode{{"create"}, {"read"}}, ConditionalCreate: true,
					Documentation: "Create takes a ServiceRequest or a transaction Bundle; If-None-Exist: identifier=system|value " +
						"makes no second referral for the same identifier."}),
				noVersions(CapabilityResource{Type: "Task", Interaction: []CapabilityCode{{"read"}, {"search-type"}}, SearchParam: basedOnParam("Task"),
					Documentation: "Follows a referral: status and businessStatus change as it moves. Its id is the ServiceRequest's."}),
				noVersions(CapabilityResource{Type: "Communication", Interaction: []CapabilityCode{{"read"}, {"search-type"}}, SearchParam: basedOnParam("Communication"),
					Documentation: "The summary for the GP record once the referral closes, as the person chose to share it. Its id is the ServiceRequest's."}),
			},
		}},
	}
}
