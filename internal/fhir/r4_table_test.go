package fhir

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite r4_table.go from the FHIR R4 JSON Schema")

// r4Roots are the resources whose elements Oikos checks one by one: the
// two it reads (ServiceRequest and transaction Bundle) and those a GP
// system sends with them (contained or as Bundle entries).
var r4Roots = []string{"Bundle", "ServiceRequest", "Patient", "Consent", "Practitioner", "PractitionerRole", "Organization"}

// r4MissingCodes are required bindings of R4 that the JSON Schema leaves
// out (it writes enums only for some), added by hand from the R4 value
// sets: request-status, request-intent, request-priority,
// operation-parameter-use and days-of-week. Required bindings checked by
// neither: languages (BCP 47, a grammar), mime types (BCP 13, a grammar),
// currencies (ISO 4217) and all-types (every type name), on elements a
// referral does not use.
var r4MissingCodes = map[string][]string{
	"ServiceRequest.status":                     {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"},
	"ServiceRequest.intent":                     {"proposal", "plan", "directive", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"},
	"ServiceRequest.priority":                   {"routine", "urgent", "asap", "stat"},
	"ParameterDefinition.use":                   {"in", "out"},
	"Timing_Repeat.dayOfWeek":                   {"mon", "tue", "wed", "thu", "fri", "sat", "sun"},
	"PractitionerRole_AvailableTime.daysOfWeek": {"mon", "tue", "wed", "thu", "fri", "sat", "sun"},
}

// schemaFile is the shared copy of the official schema, beside the repository.
func schemaFile(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	file := filepath.Join(dir, "..", "shared", "standards", "fhir-r4", "fhir.schema.json")
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the FHIR R4 JSON Schema is not at %s: %v", file, err)
	}
	return file
}

type schemaProp struct {
	Ref     string      `json:"$ref"`
	Type    string      `json:"type"`
	Pattern string      `json:"pattern"`
	Enum    []string    `json:"enum"`
	Const   string      `json:"const"`
	Items   *schemaProp `json:"items"`
}

type schemaDef struct {
	Type       string                `json:"type"`
	Pattern    string                `json:"pattern"`
	Properties map[string]schemaProp `json:"properties"`
	OneOf      []schemaProp          `json:"oneOf"`
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

// generateR4Table writes r4_table.go's source from the schema: every
// element of the types reachable from r4Roots, the primitive types with
// their patterns, and the names of all R4 resources.
func generateR4Table(t testing.TB) []byte {
	raw, err := os.ReadFile(schemaFile(t))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Definitions map[string]schemaDef `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	defs := schema.Definitions
	primitives := map[string]schemaDef{}
	for name, d := range defs {
		if d.Properties == nil && name != "ResourceList" {
			primitives[name] = d
		}
	}
	// An element written inline (valueString) rather than by $ref is a
	// primitive known by its JSON type and pattern.
	// Types that share a pattern (string and markdown; uri, url and
	// canonical) are told apart by the name, as in valueMarkdown.
	inline := func(k string, p schemaProp) string {
		if p.Enum != nil {
			return "code" // a required binding written out
		}
		best := "" // the longest type name k ends with: DateTime, not Time
		for name, d := range primitives {
			if d.Type == p.Type && strings.HasSuffix(k, strings.ToUpper(name[:1])+name[1:]) && len(name) > len(best) {
				best = name
			}
		}
		if best != "" {
			return best
		}
		var names []string
		for name, d := range primitives {
			if d.Type == p.Type && d.Pattern == p.Pattern {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		if len(names) == 0 {
			t.Fatalf("%s: no primitive type has JSON type %q and pattern %q", k, p.Type, p.Pattern)
		}
		for _, prefer := range []string{"string", "uri", "boolean", "decimal", "integer"} {
			if slices.Contains(names, prefer) {
				return prefer
			}
		}
		return names[0]
	}
	typeOf := func(k string, p schemaProp) string {
		switch {
		case p.Ref == "":
			return inline(k, p)
		case refName(p.Ref) == "ResourceList":
			return "Resource"
		}
		return refName(p.Ref)
	}
	var order []string
	seen := map[string]bool{}
	stack := slices.Clone(r4Roots)
	for len(stack) > 0 {
		name := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[name] {
			continue
		}
		seen[name] = true
		order = append(order, name)
		for _, p := range defs[name].Properties {
			if p.Items != nil {
				p = *p.Items
			}
			if p.Ref != "" && defs[refName(p.Ref)].Properties != nil {
				stack = append(stack, refName(p.Ref))
			}
		}
	}
	sort.Strings(order)
	typeNames := map[string]bool{}
	for name := range defs {
		typeNames[name] = true
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by TestR4Table (go test ./internal/fhir -run TestR4Table -update) from the official\n")
	b.WriteString("// FHIR R4 JSON Schema (fhir.schema.json, 4.0) and r4MissingCodes. DO NOT EDIT.\n\npackage fhir\n\n")
	b.WriteString("// r4Types are the elements of each type Oikos checks, by JSON property name.\n")
	b.WriteString("var r4Types = map[string]map[string]r4Element{\n")
	for _, name := range order {
		fmt.Fprintf(&b, "%q: {\n", name)
		props := defs[name].Properties
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := props[k]
			if k == "resourceType" {
				continue // checked against the resource's own name
			}
			array := p.Type == "array"
			item := p
			if array {
				item = *p.Items
			}
			typ := typeOf(k, item)
			codes := item.Enum
			if extra, ok := r4MissingCodes[name+"."+k]; ok {
				if codes != nil {
					t.Fatalf("%s.%s has codes in the schema now: drop it from r4MissingCodes", name, k)
				}
				codes = extra
			}
			fmt.Fprintf(&b, "%q: {typ: %q", k, typ)
			if array {
				b.WriteString(", array: true")
			}
			if base := choiceBase(k, typ, props); base != "" {
				fmt.Fprintf(&b, ", choice: %q", base)
			}
			if len(codes) > 0 {
				fmt.Fprintf(&b, ", codes: %#v", codes)
			}
			b.WriteString("},\n")
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n// r4Primitives are the primitive types, with the JSON type and pattern each must match.\n")
	b.WriteString("var r4Primitives = map[string]r4Primitive{\n")
	pnames := make([]string, 0, len(primitives))
	for name := range primitives {
		pnames = append(pnames, name)
	}
	sort.Strings(pnames)
	for _, name := range pnames {
		d := primitives[name]
		if d.Pattern != "" {
			if _, err := regexp.Compile(d.Pattern); err != nil {
				t.Fatalf("%s: pattern %q: %v", name, d.Pattern, err)
			}
		}
		fmt.Fprintf(&b, "%q: {json: %q, pattern: %q},\n", name, d.Type, d.Pattern)
	}
	b.WriteString("}\n\n// r4Resources are the names of every R4 resource type.\nvar r4Resources = map[string]bool{\n")
	var resources []string
	for _, p := range defs["ResourceList"].OneOf {
		resources = append(resources, refName(p.Ref))
	}
	sort.Strings(resources)
	for _, name := range resources {
		fmt.Fprintf(&b, "%q: true,\n", name)
	}
	b.WriteString("}\n")
	out, err := format.Source(b.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.Bytes())
	}
	return out
}

// choiceBase is the name of the choice element ("value" for valueString)
// that property k is one type of, or "" when k is no choice: a name that
// is another name plus a type, with at least one sibling of the same base.
func choiceBase(k, typ string, props map[string]schemaProp) string {
	suffix := strings.ToUpper(typ[:1]) + typ[1:]
	base, ok := strings.CutSuffix(k, suffix)
	if !ok || base == "" {
		return ""
	}
	for other := range props {
		if other != k && strings.HasPrefix(other, base) && len(other) > len(base) && other[len(base)] >= 'A' && other[len(base)] <= 'Z' {
			return base
		}
	}
	return ""
}

// TestR4Table: r4_table.go is what the schema says, so the checks cannot
// drift from R4.
func TestR4Table(t *testing.T) {
	want := generateR4Table(t)
	if *update {
		if err := os.WriteFile("r4_table.go", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile("r4_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("r4_table.go is not what the schema gives: run go test ./internal/fhir -run TestR4Table -update")
	}
}
