package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/org"
)

var (
	fhirSchemaOnce sync.Once
	fhirSchemas    map[string]*jsonschema.Schema
	fhirSchemaErr  error
)

// fhirSchema compiles (once) the official FHIR R4 JSON Schema definition
// for a resource type, read from the shared standards folder.
func fhirSchema(t testing.TB, resourceType string) *jsonschema.Schema {
	t.Helper()
	fhirSchemaOnce.Do(func() {
		file := filepath.Join(hsdsDir(t), "..", "fhir-r4", "fhir.schema.json")
		if _, err := os.Stat(file); err != nil {
			fhirSchemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft6)
		fhirSchemas = map[string]*jsonschema.Schema{}
		for _, rt := range []string{"ServiceRequest", "Task", "Bundle", "OperationOutcome", "Communication", "CapabilityStatement"} {
			sch, err := c.Compile(file + "#/definitions/" + rt)
			if err != nil {
				fhirSchemaErr = err
				return
			}
			fhirSchemas[rt] = sch
		}
	})
	if fhirSchemaErr != nil {
		t.Fatal(fhirSchemaErr)
	}
	return fhirSchemas[resourceType]
}

// mustFHIR checks a response is FHIR JSON of the given resource type that
// validates against the official schema, and returns it.
func mustFHIR(t *testing.T, res response, resourceType string) map[string]any {
	t.Helper()
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("content type %q", ct)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(res.body))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, res.body)
	}
	m, _ := doc.(map[string]any)
	if m == nil || m["resourceType"] != resourceType {
		t.Fatalf("want a %s, got %s", resourceType, res.body)
	}
	if err := fhirSchema(t, resourceType).Validate(doc); err != nil {
		t.Errorf("%s does not validate against fhir.schema.json: %v\n%s", resourceType, err, res.body)
	}
	if err := googleR4(t, []byte(res.body)); err != nil {
		t.Errorf("Google's FHIR R4 parser refuses the %s: %v\n%s", resourceType, err, res.body)
	}
	return m
}

var (
	googleOnce sync.Once
	google     *jsonformat.Unmarshaller
	googleErr  error
)

// googleR4 parses raw with a maintained FHIR library, Google's FHIR Go,
// whose strict R4 reading checks unknown elements, the codes of required
// bindings, dates and required elements: the schema alone misses some.
func googleR4(t testing.TB, raw []byte) error {
	t.Helper()
	googleOnce.Do(func() { google, googleErr = jsonformat.NewUnmarshaller("UTC", fhirversion.R4) })
	if googleErr != nil {
		t.Fatal(googleErr)
	}
	_, err := google.Unmarshal(raw)
	return err
}

// mustOutcome checks an OperationOutcome with an error issue naming expr.
func mustOutcome(t *testing.T, res response, status int, code, expr string) {
	t.Helper()
	if res.status != status {
		t.Errorf("status %d, want %d: %s", res.status, status, res.body)
	}
	m := mustFHIR(t, res, "OperationOutcome")
	iss, _ := m["issue"].([]any)
	if len(iss) == 0 {
		t.Fatalf("no issues: %s", res.body)
	}
	first := iss[0].(map[string]any)
	if first["severity"] != "error" || first["code"] != code || first["diagnostics"] == "" {
		t.Errorf("issue %v, want code %s", first, code)
	}
	if expr != "" {
		if e, _ := first["expression"].([]any); len(e) == 0 || e[0] != expr {
			t.Errorf("expression %v, want %s", first["expression"], expr)
		}
	}
}

func (f *fixture) fhir(role auth.Role, method, path, body string) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/fhir+json")
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	return f.send(http.DefaultTransport, req)
}

const fhirServiceRequest = `{"resourceType":"ServiceRequest","status":"active","intent":"order",
 "identifier":[{"system":"https://gp.example/referrals","value":"GP-123"}],
 "extension":[{"url":"https://oikos.example/fhir/StructureDefinition/consent","valueBoolean":true},
   {"url":"https://oikos.example/fhir/StructureDefinition/share-with-providers","valueBoolean":true}],
 "contained":[{"resourceType":"Patient","id":"p1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],
   "name":[{"family":"Hughes","given":["Margaret"]}],"birthDate":"1948-05-02","address":[{"postalCode":"EX4 4QJ"}],
   "telecom":[{"system":"phone","value":"01392 000000"}]}],
 "subject":{"reference":"#p1"},"requester":{"display":"Dr Okafor"},
 "reasonCode":[{"text":"loneliness"},{"text":"Low mood"}],
 "note":[{"text":"Lost her husband last year."}]}`

func TestFHIRServiceRequest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		res := f.fhir(auth.Referrer, "POST", "/fhir/ServiceRequest", fhirServiceRequest)
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		sr := mustFHIR(t, res, "ServiceRequest")
		id, _ := sr["id"].(string)
		if loc := res.header.Get("Location"); id == "" || loc != "/fhir/ServiceRequest/"+id {
			t.Fatalf("Location %q for id %q", loc, id)
		}
		if !strings.Contains(res.body, `"9434765919"`) || !strings.Contains(res.body, `"code":"low_mood"`) || !strings.Contains(res.body, "Dr Okafor") {
			t.Errorf("created: %s", res.body)
		}
		// The referral is the same one the JSON API shows, from a GP.
		api := f.do(auth.LinkWorker, "GET", "/api/v1/referrals/"+strings.ReplaceAll(id, "-", "_"), "").json(t)
		if api["source_type"] != "gp" || api["referrer_name"] != "Dr Okafor" || api["status"] != "received" || api["consent_share_with_providers"] != true {
			t.Errorf("referral via API: %v", api)
		}

		// The referrer reads it back, without the notes.
		res = f.fhir(auth.Referrer, "GET", "/fhir/ServiceRequest/"+id, "")
		if res.status != 200 || strings.Contains(res.body, "husband") {
			t.Errorf("referrer's read: %d %s", res.status, res.body)
		}
		mustFHIR(t, res, "ServiceRequest")
		if res := f.fhir(auth.LinkWorker, "GET", "/fhir/ServiceRequest/"+id, ""); res.status != 200 || !strings.Contains(res.body, "husband") {
			t.Errorf("link worker's read: %d %s", res.status, res.body)
		}
		for _, role := range []auth.Role{auth.Provider, auth.Commissioner, auth.Volunteer, auth.Admin} {
			if res := f.fhir(role, "GET", "/fhir/ServiceRequest/"+id, ""); res.status != 404 {
				t.Errorf("%s reads it: %d", role, res.status)
			}
		}
		mustOutcome(t, f.fhir(auth.Manager, "GET", "/fhir/ServiceRequest/no-such-referral", ""), 404, "not-found", "")

		// The Task follows the referral.
		task := func(wantStatus, wantLabel string) {
			t.Helper()
			res := f.fhir(auth.Referrer, "GET", "/fhir/Task?based-on=ServiceRequest/"+id, "")
			if res.status != 200 {
				t.Fatalf("task: %d %s", res.status, res.body)
			}
			b := mustFHIR(t, res, "Bundle")
			entries, _ := b["entry"].([]any)
			if b["type"] != "searchset" || len(entries) != 1 {
				t.Fatalf("bundle: %s", res.body)
			}
			tk := entries[0].(map[string]any)["resource"].(map[string]any)
			bs, _ := tk["businessStatus"].(map[string]any)
			based, _ := tk["basedOn"].([]any)
			if tk["status"] != wantStatus || bs["text"] != wantLabel || tk["intent"] != "order" || len(based) != 1 ||
				based[0].(map[string]any)["reference"] != "ServiceRequest/"+id {
				t.Errorf("task: %v", tk)
			}
		}
		task("requested", "Waiting for triage")
		for _, step := range []struct{ body, status, label string }{
			{`{"status":"accepted"}`, "accepted", "Accepted"},
			{`{"status":"contacted"}`, "in-progress", "In contact"},
			{`{"status":"active"}`, "in-progress", "Working together"},
			{`{"status":"closed","reason":"declined"}`, "rejected", "Closed: Declined support"},
		} {
			if res := f.do(auth.Manager, "POST", "/api/v1/referrals/"+strings.ReplaceAll(id, "-", "_")+"/status", step.body); res.status != 200 {
				t.Fatalf("%s: %d %s", step.body, res.status, res.body)
			}
			task(step.status, step.label)
		}
		res = f.fhir(auth.Provider, "GET", "/fhir/Task?based-on=ServiceRequest/"+id, "")
		if res.status != 404 {
			t.Errorf("provider searches tasks: %d", res.status)
		}
		res = f.fhir(auth.Manager, "GET", "/fhir/Task?based-on=ServiceRequest/nothing", "")
		if b := mustFHIR(t, res, "Bundle"); b["total"] != json.Number("0") && b["total"] != float64(0) {
			t.Errorf("empty search: %s", res.body)
		}
		mustOutcome(t, f.fhir(auth.Manager, "GET", "/fhir/Task", ""), 400, "required", "")
	})
}

func TestFHIRTransactionBundle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var sr map[string]any
		json.Unmarshal([]byte(fhirServiceRequest), &sr)
		pt := sr["contained"].([]any)[0].(map[string]any)
		delete(sr, "contained")
		delete(pt, "id")
		sr["subject"] = map[string]any{"reference": "urn:uuid:0b7c1c1e-1111-4111-8111-000000000001"}
		body, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{
			map[string]any{"fullUrl": "urn:uuid:0b7c1c1e-1111-4111-8111-000000000001", "resource": pt, "request": map[string]any{"method": "POST", "url": "Patient"}},
			map[string]any{"fullUrl": "urn:uuid:0b7c1c1e-1111-4111-8111-000000000002", "resource": sr, "request": map[string]any{"method": "POST", "url": "ServiceRequest"}},
		}})
		res := f.fhir(auth.LinkWorker, "POST", "/fhir/ServiceRequest", string(body))
		if res.status != 201 || !strings.HasPrefix(res.header.Get("Location"), "/fhir/ServiceRequest/") {
			t.Fatalf("bundle: %d %s", res.status, res.body)
		}
		mustFHIR(t, res, "ServiceRequest")
	})
}

func TestFHIRRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for _, c := range []struct {
			name, from, to string
			status         int
			code, expr     string
		}{
			{"malformed", `"status":"active",`, `"status":"active"`, 400, "invalid", ""},
			{"wrong type", `"resourceType":"ServiceRequest"`, `"resourceType":"Patient"`, 400, "invalid", "resourceType"},
			{"no subject", `"subject":{"reference":"#p1"},`, ``, 422, "required", "ServiceRequest.subject"},
			{"no consent", `"valueBoolean":true},
   {"url":"https://oikos.example/fhir/StructureDefinition/share-with-providers"`, `"valueBoolean":false},
   {"url":"https://oikos.example/fhir/StructureDefinition/share-with-providers"`, 422, "required", "ServiceRequest.extension"},
			{"bad NHS number", `"9434765919"`, `"9434765918"`, 422, "invalid", "Patient.identifier"},
			{"bad postcode", `"EX4 4QJ"`, `"EX4"`, 422, "invalid", "Patient.address[0].postalCode"},
			{"future birth", `"1948-05-02"`, `"2948-05-02"`, 422, "invalid", "Patient.birthDate"},
		} {
			t.Run(c.name, func(t *testing.T) {
				body := strings.Replace(fhirServiceRequest, c.from, c.to, 1)
				if body == fhirServiceRequest {
					t.Fatal("replacement did not apply")
				}
				mustOutcome(t, f.fhir(auth.Referrer, "POST", "/fhir/ServiceRequest", body), c.status, c.code, c.expr)
			})
		}
	})
}

// fhirAs posts a ServiceRequest with a bearer token and extra headers,
// without failing the test from another goroutine.
func (f *fixture) fhirAs(token, body string, header ...string) (response, error) {
	req, err := http.NewRequest("POST", f.ts.URL+"/fhir/ServiceRequest", strings.NewReader(body))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
}

// referrerElsewhere adds a referrer with a token, at a new organisation or
// (orgName "") at the fixture's own.
func (f *fixture) referrerElsewhere(t *testing.T, email, orgName string) string {
	t.Helper()
	ctx := context.Background()
	orgID := f.orgID
	if orgName != "" {
		o, err := (&org.Store{DB: f.db}).Create(ctx, org.Actor{UserID: "system"}, org.Input{Name: orgName, Kind: "gp_practice"})
		if err != nil {
			t.Fatal(err)
		}
		orgID = o.ID
	}
	u, err := f.auth.CreateUser(ctx, auth.Actor{UserID: "system"}, auth.UserInput{Email: email, Name: "GP system", Role: auth.Referrer, OrganisationID: orgID}, "")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := f.auth.CreateToken(ctx, auth.Actor{UserID: "system"}, u.ID, "gp system")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func (f *fixture) countFHIRReferrals(t *testing.T, identifier string) int {
	t.Helper()
	var n int
	if err := f.db.R().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM referrals WHERE channel = 'fhir' AND external_id LIKE $1",
		"%|"+identifier).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFHIRServiceRequestSentAgain: a GP system retries. The same
// ServiceRequest identifier from the same organisation makes one referral;
// the second POST answers 200 with the first, as a FHIR conditional create
// that finds a match does.
func TestFHIRServiceRequestSentAgain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		token := f.tokens[auth.Referrer]
		first, err := f.fhirAs(token, fhirServiceRequest)
		if err != nil || first.status != 201 {
			t.Fatalf("first: %v %d %s", err, first.status, first.body)
		}
		again, err := f.fhirAs(token, fhirServiceRequest)
		if err != nil || again.status != 200 || again.header.Get("Location") != first.header.Get("Location") {
			t.Fatalf("again: %v %d %q %s", err, again.status, again.header.Get("Location"), again.body)
		}
		if sr := mustFHIR(t, again, "ServiceRequest"); "/fhir/ServiceRequest/"+sr["id"].(string) != first.header.Get("Location") {
			t.Errorf("answered with %v", sr["id"])
		}
		if !strings.Contains(again.body, `{"system":"https://gp.example/referrals","value":"GP-123"}`) || strings.Contains(again.body, "husband") {
			t.Errorf("the first, as its referrer sees it, with the GP's identifier: %s", again.body)
		}
		if n := f.countFHIRReferrals(t, "https://gp.example/referrals|GP-123"); n != 1 {
			t.Fatalf("%d referrals for one ServiceRequest", n)
		}

		// Another practice's system may number its referrals alike.
		other := f.referrerElsewhere(t, "system@elsewhere.example", "Elsewhere Surgery")
		if res, err := f.fhirAs(other, fhirServiceRequest); err != nil || res.status != 201 || res.header.Get("Location") == first.header.Get("Location") {
			t.Fatalf("another practice: %v %d %s", err, res.status, res.body)
		}
		// Someone else at the same practice who may not read the first is
		// told it exists, and nothing about it.
		colleague := f.referrerElsewhere(t, "colleague@example.org", "")
		res, err := f.fhirAs(colleague, fhirServiceRequest)
		if err != nil {
			t.Fatal(err)
		}
		mustOutcome(t, res, 409, "duplicate", "ServiceRequest.identifier")
		if strings.Contains(res.body, "Hughes") || res.header.Get("Location") != "" {
			t.Errorf("the duplicate answer tells too much: %s", res.body)
		}

		// A conditional create finds the first by the identifier it names,
		// whatever the body carries.
		renumbered := strings.Replace(fhirServiceRequest, `"value":"GP-123"`, `"value":"GP-124"`, 1)
		res, err = f.fhirAs(token, renumbered, "If-None-Exist", "identifier=https://gp.example/referrals|GP-123")
		if err != nil || res.status != 200 || res.header.Get("Location") != first.header.Get("Location") {
			t.Fatalf("If-None-Exist that matches: %v %d %s", err, res.status, res.body)
		}
		res, err = f.fhirAs(token, renumbered, "If-None-Exist", "identifier="+url.QueryEscape("https://gp.example/referrals|GP-999"))
		if err != nil || res.status != 201 || f.countFHIRReferrals(t, "https://gp.example/referrals|GP-124") != 1 {
			t.Fatalf("If-None-Exist that does not match: %v %d %s", err, res.status, res.body)
		}
		for _, h := range []string{"name=Hughes", "identifier=GP-123", "identifier=a|1&identifier=b|2", "%zz"} {
			res, err := f.fhirAs(token, renumbered, "If-None-Exist", h)
			if err != nil {
				t.Fatal(err)
			}
			mustOutcome(t, res, 400, "not-supported", "")
		}

		// Without an identifier there is nothing to know it by: two posts,
		// two referrals.
		anonymous := strings.Replace(fhirServiceRequest, `"identifier":[{"system":"https://gp.example/referrals","value":"GP-123"}],`, "", 1)
		for range 2 {
			if res, err := f.fhirAs(token, anonymous); err != nil || res.status != 201 {
				t.Fatalf("no identifier: %v %d %s", err, res.status, res.body)
			}
		}
	})
}

// TestFHIRServiceRequestSentTwiceAtOnce: a retry that overtakes the first
// attempt still makes exactly one referral.
func TestFHIRServiceRequestSentTwiceAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		body := strings.Replace(fhirServiceRequest, `"value":"GP-123"`, `"value":"GP-777"`, 1)
		const senders = 8
		results := make([]response, senders)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range senders {
			wg.Go(func() {
				<-start
				res, err := f.fhirAs(f.tokens[auth.Referrer], body)
				if err != nil {
					t.Error(err)
				}
				results[i] = res
			})
		}
		close(start)
		wg.Wait()
		created, location := 0, ""
		for _, res := range results {
			switch res.status {
			case 201:
				created++
			case 200:
			default:
				t.Errorf("status %d: %s", res.status, res.body)
				continue
			}
			if location == "" {
				location = res.header.Get("Location")
			}
			if res.header.Get("Location") != location {
				t.Errorf("two referrals: %s and %s", location, res.header.Get("Location"))
			}
		}
		if created != 1 || f.countFHIRReferrals(t, "https://gp.example/referrals|GP-777") != 1 {
			t.Errorf("%d answered 201, %d referrals", created, f.countFHIRReferrals(t, "https://gp.example/referrals|GP-777"))
		}
	})
}
