package fhir

import (
	"errors"
	"net/http"
	"sort"

	"oikos"
)

// Every answer under /fhir that is not a resource asked for is an
// OperationOutcome, so that a FHIR client can read why, whatever went
// wrong: OperationOutcome builds one for an HTTP status, and ErrorOutcome
// for any error a handler meets.

// Problem is an answer that is not the resource asked for: the HTTP
// status and the OperationOutcome that explains it.
type Problem struct {
	Status  int
	Outcome OutcomeResource
}

func (p *Problem) Error() string {
	if len(p.Outcome.Issue) == 0 {
		return "invalid FHIR resource"
	}
	return p.Outcome.Issue[0].Diagnostics
}

// issueCodes are R4's issue types (the required binding of
// OperationOutcome.issue.code).
var issueCodes = map[string]bool{}

func init() {
	for _, c := range r4OutcomeCodes {
		issueCodes[c] = true
	}
}

// r4OutcomeCodes lists the issue-type codes, as the R4 schema gives them.
var r4OutcomeCodes = []string{"invalid", "structure", "required", "value", "invariant", "security", "login", "unknown", "expired",
	"forbidden", "suppressed", "processing", "not-supported", "duplicate", "multiple-matches", "not-found", "deleted", "too-long",
	"code-invalid", "extension", "too-costly", "business-rule", "conflict", "transient", "lock-error", "no-store", "exception",
	"timeout", "incomplete", "throttled", "informational"}

// issueCodeFor is the issue type that fits an HTTP status best.
func issueCodeFor(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "login"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not-found"
	case http.StatusGone:
		return "deleted"
	case http.StatusMethodNotAllowed, http.StatusNotAcceptable, http.StatusUnsupportedMediaType, http.StatusNotImplemented:
		return "not-supported"
	case http.StatusConflict, http.StatusPreconditionFailed:
		return "conflict"
	case http.StatusRequestEntityTooLarge:
		return "too-costly"
	case http.StatusUnprocessableEntity:
		return "invalid"
	case http.StatusTooManyRequests:
		return "throttled"
	case http.StatusServiceUnavailable:
		return "transient"
	case http.StatusGatewayTimeout:
		return "timeout"
	}
	if status >= 500 {
		return "exception"
	}
	return "invalid"
}

// OperationOutcome is the answer for an HTTP status: an OperationOutcome
// with one error issue. code is an R4 issue type; "" (or a code R4 does
// not know) picks the one that fits the status. message is plain English
// for whoever reads the client's log; expression, if not "", is the
// FHIRPath of the element at fault.
func OperationOutcome(status int, code, message, expression string) *Problem {
	if !issueCodes[code] {
		code = issueCodeFor(status)
	}
	if message == "" {
		message = http.StatusText(status)
	}
	var expr []string
	if expression != "" {
		expr = []string{expression}
	}
	return &Problem{Status: status, Outcome: OutcomeResource{ResourceType: "OperationOutcome",
		Issue: []Issue{{Severity: "error", Code: code, Diagnostics: message, Expression: expr}}}}
}

// Outcome is an OperationOutcome with one error issue.
func Outcome(code, diagnostics string, expression ...string) OutcomeResource {
	return OutcomeResource{ResourceType: "OperationOutcome", Issue: []Issue{{Severity: "error", Code: code, Diagnostics: diagnostics, Expression: expression}}}
}

func problem(status int, code, diagnostics string, expression ...string) *Problem {
	return &Problem{Status: status, Outcome: Outcome(code, diagnostics, expression...)}
}

// ServerFault is what a client is told of an error that is a bug: nothing
// about it, which is for the log.
const ServerFault = "Something went wrong on our side. It has been logged; please try again."

// ErrorOutcome is the answer for any error a FHIR handler meets: a
// *Problem as it is; an *oikos.Error with the status the web layer gives
// its code (status), its fields as one issue each; anything else a 500
// that says nothing of it (the handler logs it).
func ErrorOutcome(err error, status int) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var e *oikos.Error
	if !errors.As(err, &e) {
		return OperationOutcome(http.StatusInternalServerError, "exception", ServerFault, "")
	}
	code := ""
	switch e.Code {
	case oikos.EINVALID:
		if len(e.Fields) > 0 {
			return &Problem{Status: status, Outcome: ValidationOutcome(e.Fields)}
		}
	case oikos.EMALFORMED:
		code = "structure"
	case oikos.ENOTFOUND:
		code = "not-found"
	case oikos.EUNAUTHORIZED:
		code = "login"
	case oikos.ECONFLICT:
		code = "conflict"
		if e.Fields["external_id"] != "" {
			code = "duplicate"
		}
	case oikos.ETOOLARGE:
		code = "too-costly"
	case oikos.ERATELIMITED, oikos.ELOCKED:
		code = "throttled"
	case oikos.EINTERNAL:
		return OperationOutcome(http.StatusInternalServerError, "exception", ServerFault, "")
	}
	return OperationOutcome(status, code, e.Message, "")
}

// fieldPaths maps referral.Input validation fields to FHIRPath.
var fieldPaths = map[string]string{
	"person.given_name":      "Patient.name[0].given[0]",
	"person.family_name":     "Patient.name[0].family",
	"person.date_of_birth":   "Patient.birthDate",
	"person.nhs_number":      "Patient.identifier",
	"person.postcode":        "Patient.address[0].postalCode",
	"person.phone":           "Patient.telecom",
	"person.email":           "Patient.telecom",
	"source.type":            "ServiceRequest.requester",
	"source.referrer_name":   "ServiceRequest.requester.display",
	"source.organisation_id": "ServiceRequest.requester",
	"reasons":                "ServiceRequest.reasonCode",
	"reason_text":            "ServiceRequest.reasonCode",
	"urgency":                "ServiceRequest.priority",
	"notes":                  "ServiceRequest.note",
	"consent.given":          "ServiceRequest.supportingInfo",
	"external_id":            "ServiceRequest.identifier",
}

// ValidationOutcome turns referral validation fields into a 422 outcome,
// one issue per field, in a stable order.
func ValidationOutcome(fields map[string]string) OutcomeResource {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := OutcomeResource{ResourceType: "OperationOutcome"}
	for _, k := range keys {
		path, ok := fieldPaths[k]
		if !ok {
			path = "ServiceRequest"
		}
		out.Issue = append(out.Issue, Issue{Severity: "error", Code: "invalid", Diagnostics: fields[k], Expression: []string{path}})
	}
	if len(out.Issue) == 0 {
		out.Issue = []Issue{{Severity: "error", Code: "invalid", Diagnostics: "The referral is not valid."}}
	}
	return out
}
