package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Reading FHIR strictly. A resource sent to Oikos is checked against R4
// itself (r4_table.go, generated from the official JSON Schema) before it
// is read: every element must be one R4 defines for its type, hold the
// JSON type R4 gives it, match its primitive's pattern, and hold a code of
// the value set where R4 binds one as required.
//
// Statuses follow FHIR's own split (http.html, create): a body that cannot
// be read as R4 at all (not JSON, an unknown element, a number where R4
// has a string, one value where it has an array) is 400 with issue code
// "structure"; a readable resource that breaks R4's rules on values (a
// code outside a required binding, a malformed date, an empty element) or
// Oikos's own is 422. Unknown elements are refused, not ignored: FHIR
// leaves that to the receiver, and a GP system that misspells an element
// should hear so rather than have part of its referral silently dropped.
// R4's minimum cardinalities are checked only for what Oikos reads (a
// ServiceRequest's status, intent and subject, a Bundle's type): refusing
// a contained Consent for lacking the scope R4 asks for, which nothing here
// reads, would bounce a referral for nothing.

// r4Element is one element of a type, as r4_table.go lists it.
type r4Element struct {
	// typ is a primitive (r4Primitives), a complex type (r4Types), or
	// "Resource" for any resource.
	typ   string
	array bool
	// choice is the choice element's name when the element is one type
	// of it: "occurrence" for occurrenceDateTime.
	choice string
	// codes are the codes of a required binding.
	codes []string
}

// r4Primitive is a primitive type: its JSON type and pattern.
type r4Primitive struct {
	json, pattern string
}

var r4Patterns = sync.OnceValue(func() map[string]*regexp.Regexp {
	out := map[string]*regexp.Regexp{}
	for name, p := range r4Primitives {
		if p.pattern != "" {
			out[name] = regexp.MustCompile(p.pattern)
		}
	}
	return out
})

// jnode is a JSON value read with its exact text: numbers keep their
// digits (1.0 is not an integer), and objects keep their keys in order.
type jnode struct {
	kind  byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' boolean, 'z' null
	keys  []string
	vals  []*jnode
	items []*jnode
	text  string
}

func (n *jnode) get(key string) *jnode {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// maxDepth bounds nesting: deeper than any real resource, shallow enough
// that a crafted body cannot exhaust the stack.
const maxDepth = 64

var errTooDeep = errors.New("too deep")

type dupKeyError struct{ key string }

func (e dupKeyError) Error() string { return "duplicate key " + e.key }

// readJSON reads one JSON value and nothing after it.
func readJSON(body []byte) (*jnode, *Problem) {
	if !utf8.Valid(body) {
		return nil, problem(http.StatusBadRequest, "structure", "The body is not valid UTF-8: send FHIR JSON encoded as UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	n, err := readValue(dec, 0)
	if err == nil {
		if _, end := dec.Token(); end != io.EOF {
			err = errors.New("trailing data")
		}
	}
	var dup dupKeyError
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, errTooDeep):
		return nil, problem(http.StatusBadRequest, "structure", fmt.Sprintf("The body nests deeper than %d levels, which no FHIR resource needs.", maxDepth))
	case errors.As(err, &dup):
		return nil, problem(http.StatusBadRequest, "structure", fmt.Sprintf("The property %q appears twice in one object: FHIR JSON names each property once.", truncate(dup.key, 40)))
	}
	return nil, problem(http.StatusBadRequest, "invalid", fmt.Sprintf("The body is not valid JSON (near byte %d): send one ServiceRequest or transaction Bundle as application/fhir+json.", dec.InputOffset()))
}

func readValue(dec *json.Decoder, depth int) (*jnode, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := &jnode{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, errors.New("key")
				}
				if slices.Contains(n.keys, key) {
					return nil, dupKeyError{key}
				}
				val, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.keys, n.vals = append(n.keys, key), append(n.vals, val)
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &jnode{kind: 'a'}
			for dec.More() {
				val, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, val)
			}
			_, err := dec.Token()
			return n, err
		}
		return nil, errors.New("delimiter")
	case string:
		return &jnode{kind: 's', text: v}, nil
	case json.Number:
		return &jnode{kind: 'n', text: string(v)}, nil
	case bool:
		return &jnode{kind: 'b', text: strconv.FormatBool(v)}, nil
	case nil:
		return &jnode{kind: 'z'}, nil
	}
	return nil, errors.New("token")
}

// maxIssues bounds one answer: enough to fix a resource in one go.
const maxIssues = 20

// checker walks a resource against R4, gathering what is wrong.
type checker struct {
	issues []Issue
	// unreadable is set by any fault that makes the body unreadable as R4 (400).
	unreadable bool
}

func (c *checker) fault(unreadable bool, code, path, msg string) {
	if len(c.issues) >= maxIssues {
		return
	}
	c.unreadable = c.unreadable || unreadable
	c.issues = append(c.issues, Issue{Severity: "error", Code: code, Diagnostics: msg, Expression: []string{path}})
}

// problem is the checker's answer, or nil when the resource is sound.
func (c *checker) problem() *Problem {
	if len(c.issues) == 0 {
		return nil
	}
	status := http.StatusUnprocessableEntity
	if c.unreadable {
		status = http.StatusBadRequest
	}
	return &Problem{Status: status, Outcome: OutcomeResource{ResourceType: "OperationOutcome", Issue: c.issues}}
}

// readResources are the types Oikos reads, in which a modifier it does
// not understand must stop it (FHIR: a modifier changes the meaning of
// what holds it, so it may not be ignored).
var readResources = map[string]bool{"ServiceRequest": true, "Patient": true, "Consent": true, "Bundle": true}

// resource checks a resource at path (a FHIRPath: "ServiceRequest",
// "Bundle.entry[1].resource", "ServiceRequest.contained[0]").
func (c *checker) resource(n *jnode, path string) {
	if n.kind != 'o' {
		c.fault(true, "structure", path, fmt.Sprintf("%s must be a resource: a JSON object with a resourceType, not %s.", path, kindName(n.kind)))
		return
	}
	rt := n.get("resourceType")
	if rt == nil || rt.kind != 's' {
		c.fault(true, "structure", path, fmt.Sprintf("%s needs a resourceType, written as a JSON string, like \"Patient\".", path))
		return
	}
	if !r4Resources[rt.text] {
		c.fault(true, "structure", path+".resourceType", fmt.Sprintf("%q is not an R4 resource type.", truncate(rt.text, 40)))
		return
	}
	if _, checked := r4Types[rt.text]; !checked {
		// A resource Oikos neither reads nor stores (an Observation sent
		// alongside): it is a valid R4 type, and nothing else of it matters.
		return
	}
	c.element(n, rt.text, path, readResources[rt.text])
}

// element checks an object of a complex type. reads says whether the
// resource it is part of is one Oikos reads.
func (c *checker) element(n *jnode, typ, path string, reads bool) {
	if n.kind != 'o' {
		c.fault(true, "structure", path, fmt.Sprintf("%s must be a JSON object (a %s), not %s.", path, typ, kindName(n.kind)))
		return
	}
	if len(n.keys) == 0 {
		c.fault(false, "invariant", path, fmt.Sprintf("%s is empty: a FHIR element must have a value or children (rule ele-1). Leave it out instead.", path))
		return
	}
	props := r4Types[typ]
	isResource := r4Resources[typ]
	for i, key := range n.keys {
		val := n.vals[i]
		if key == "resourceType" && isResource {
			if val.kind != 's' || val.text != typ {
				c.fault(true, "structure", path+".resourceType", fmt.Sprintf("%s.resourceType must be %q here.", path, typ))
			}
			continue
		}
		el, ok := props[key]
		if !ok {
			c.fault(true, "structure", path+"."+key, fmt.Sprintf("%s.%s is not an element of %s in FHIR R4. Check its spelling, or send what it says as an extension.",
				path, truncate(key, 60), article(typ)))
			continue
		}
		name := fhirPathName(key, el)
		if base, ok := props[strings.TrimPrefix(key, "_")]; ok && key[0] == '_' {
			name = fhirPathName(key, base) // _deceasedBoolean: the extensions of deceased.ofType(boolean)
		}
		at := path + "." + name
		if reads && (key == "modifierExtension" || (key == "implicitRules" && isResource)) {
			c.fault(false, "not-supported", at, fmt.Sprintf("%s changes what the resource means in a way Oikos does not know, so it cannot be acted on safely. Send the referral without it.", at))
			continue
		}
		c.value(val, el, at, reads)
	}
}

// fhirPathName is an element's name in FHIRPath: occurrenceDateTime is
// occurrence.ofType(dateTime), and _status (the extensions of status) is status.
func fhirPathName(key string, el r4Element) string {
	if el.choice != "" {
		return el.choice + ".ofType(" + el.typ + ")"
	}
	return strings.TrimPrefix(key, "_")
}

func (c *checker) value(n *jnode, el r4Element, path string, reads bool) {
	if !el.array {
		if n.kind == 'a' {
			c.fault(true, "structure", path, fmt.Sprintf("%s takes one value, not an array.", path))
			return
		}
		c.one(n, el, path, reads)
		return
	}
	if n.kind != 'a' {
		c.fault(true, "structure", path, fmt.Sprintf("%s must be a JSON array, even when it holds one value: [ ... ].", path))
		return
	}
	_, primitive := r4Primitives[el.typ]
	for i, item := range n.items {
		at := fmt.Sprintf("%s[%d]", path, i)
		// In arrays of primitives and their extensions (given and
		// _given), null keeps the two aligned.
		if item.kind == 'z' && (primitive || el.typ == "Element") {
			continue
		}
		c.one(item, el, at, reads)
	}
}

func (c *checker) one(n *jnode, el r4Element, path string, reads bool) {
	if n.kind == 'z' {
		c.fault(true, "structure", path, fmt.Sprintf("%s is null: leave an element out rather than sending null.", path))
		return
	}
	if el.typ == "Resource" {
		c.resource(n, path)
		return
	}
	if p, ok := r4Primitives[el.typ]; ok {
		c.primitive(n, el, p, path)
		return
	}
	c.element(n, el.typ, path, reads)
}

func (c *checker) primitive(n *jnode, el r4Element, p r4Primitive, path string) {
	want := map[string]byte{"string": 's', "": 's', "number": 'n', "boolean": 'b'}[p.json]
	if n.kind != want {
		var written string
		switch want {
		case 's':
			written = fmt.Sprintf("written as a JSON string in quotes%s", example(el))
		case 'n':
			written = "written as a JSON number, without quotes"
		case 'b':
			written = "true or false, without quotes"
		}
		c.fault(true, "structure", path, fmt.Sprintf("%s must be %s, %s, not %s.", path, article(el.typ), written, kindName(n.kind)))
		return
	}
	if len(el.codes) > 0 {
		if !slices.Contains(el.codes, n.text) {
			c.fault(false, "code-invalid", path, fmt.Sprintf("%q is not a code R4 allows for %s: use one of %s.", truncate(n.text, 40), path, strings.Join(el.codes, ", ")))
		}
		return
	}
	if re := r4Patterns()[el.typ]; re != nil && !re.MatchString(n.text) {
		c.fault(false, "value", path, fmt.Sprintf("%q is not a valid %s for %s: %s.", truncate(n.text, 40), el.typ, path, primitiveHint(el.typ)))
	}
}

func example(el r4Element) string {
	if len(el.codes) > 0 {
		return fmt.Sprintf(", like %q", el.codes[0])
	}
	return ""
}

func article(typ string) string {
	if strings.ContainsRune("AEIOUaeiou", rune(typ[0])) {
		return "an " + typ
	}
	return "a " + typ
}

func kindName(k byte) string {
	switch k {
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	case 's':
		return "a string"
	case 'n':
		return "a number"
	case 'b':
		return "true or false"
	}
	return "null"
}

// primitiveHint says in words what a primitive type's pattern wants.
func primitiveHint(typ string) string {
	switch typ {
	case "date":
		return "write a date as YYYY, YYYY-MM or YYYY-MM-DD, like 1948-05-02"
	case "dateTime":
		return "write a date, or a date and time with its zone, like 2024-05-01T09:30:00Z"
	case "instant":
		return "write a date and time with its zone, like 2024-05-01T09:30:00Z"
	case "time":
		return "write a time as HH:MM:SS"
	case "code":
		return "a code has no leading, trailing or double spaces"
	case "id":
		return "an id is 1 to 64 letters, digits, '-' and '.'"
	case "uri", "url", "canonical":
		return "a URI has no spaces"
	case "uuid":
		return "write it as urn:uuid: and a lower-case UUID"
	case "oid":
		return "write it as urn:oid: and the dotted numbers"
	case "integer", "positiveInt", "unsignedInt":
		return "it must be a whole number in range"
	case "decimal":
		return "it must be a decimal number"
	case "base64Binary":
		return "it must be base64"
	}
	return "text must not be empty"
}
