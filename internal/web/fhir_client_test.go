package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// What an ordinary FHIR client needs around the resources: the
// CapabilityStatement first, a Task read by the fullUrl a search gives,
// and an OperationOutcome with the FHIR content type for every answer
// that is not the resource asked for, whatever went wrong.

// fhirRaw sends a request under /fhir with the given headers ("" token
// for anonymous).
func (f *fixture) fhirRaw(token, method, path, body string, header ...string) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/fhir+json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return f.send(http.DefaultTransport, req)
}

func TestFHIRMetadata(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// No authentication: clients read it before anything else.
		res := f.fhirRaw("", "GET", "/fhir/metadata", "")
		if res.status != 200 {
			t.Fatalf("metadata: %d %s", res.status, res.body)
		}
		cs := mustFHIR(t, res, "CapabilityStatement")
		formats, _ := cs["format"].([]any)
		if cs["fhirVersion"] != "4.0.1" || cs["kind"] != "instance" || cs["status"] != "active" || len(formats) == 0 || formats[0] != "application/fhir+json" {
			t.Errorf("capability statement: %s", res.body)
		}
		rest, _ := cs["rest"].([]any)
		if len(rest) != 1 {
			t.Fatalf("rest: %s", res.body)
		}
		offered := map[string]bool{}
		for _, r := range rest[0].(map[string]any)["resource"].([]any) {
			r := r.(map[string]any)
			for _, i := range r["interaction"].([]any) {
				offered[r["type"].(string)+" "+i.(map[string]any)["code"].(string)] = true
			}
		}
		for _, want := range []string{"ServiceRequest create", "ServiceRequest read", "Task read", "Task search-type", "Communication read", "Communication search-type"} {
			if !offered[want] {
				t.Errorf("the capability statement does not offer %s: %v", want, offered)
			}
		}
		impl, _ := cs["implementation"].(map[string]any)
		if u, _ := impl["url"].(string); u != f.ts.URL+"/fhir" {
			t.Errorf("implementation.url %q, want %q", u, f.ts.URL+"/fhir")
		}
	})
}

// TestFHIRTaskRead: the Task a search returns is read by its fullUrl, by
// those who may read the ServiceRequest, and by no one else.
func TestFHIRTaskRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		res := f.fhir(auth.Referrer, "POST", "/fhir/ServiceRequest", fhirServiceRequest)
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		id := mustFHIR(t, res, "ServiceRequest")["id"].(string)
		res = f.fhir(auth.Referrer, "GET", "/fhir/Task?based-on=ServiceRequest/"+id, "")
		entries, _ := mustFHIR(t, res, "Bundle")["entry"].([]any)
		if len(entries) != 1 {
			t.Fatalf("search: %s", res.body)
		}
		fullURL, _ := entries[0].(map[string]any)["fullUrl"].(string)
		u, err := url.Parse(fullURL)
		if err != nil || u.Host != strings.TrimPrefix(f.ts.URL, "http://") || !strings.HasPrefix(u.Path, "/fhir/Task/") {
			t.Fatalf("fullUrl %q", fullURL)
		}
		for _, role := range []auth.Role{auth.Referrer, auth.LinkWorker, auth.Manager} {
			res := f.fhir(role, "GET", u.Path, "")
			if res.status != 200 {
				t.Fatalf("%s reads the task: %d %s", role, res.status, res.body)
			}
			tk := mustFHIR(t, res, "Task")
			based, _ := tk["basedOn"].([]any)
			if "/fhir/Task/"+tk["id"].(string) != u.Path || len(based) != 1 || based[0].(map[string]any)["reference"] != "ServiceRequest/"+id ||
				tk["status"] != "requested" {
				t.Errorf("%s's task: %s", role, res.body)
			}
		}
		// As for the ServiceRequest: 404 to whoever may not read it.
		for _, role := range []auth.Role{auth.Provider, auth.Commissioner, auth.Volunteer, auth.Admin} {
			mustOutcome(t, f.fhir(role, "GET", u.Path, ""), 404, "not-found", "")
		}
		other := f.referrerElsewhere(t, "dr.elsewhere@example.org", "Another Surgery")
		mustOutcome(t, f.fhirRaw(other, "GET", u.Path, ""), 404, "not-found", "")
		mustOutcome(t, f.fhir(auth.Manager, "GET", "/fhir/Task/no-such-task", ""), 404, "not-found", "")
		mustOutcome(t, f.fhir(auth.Manager, "GET", "/fhir/Task/"+strings.ReplaceAll(id, "-", "_"), ""), 404, "not-found", "")
	})
}

// TestFHIREveryAnswerIsAnOutcome: whatever goes wrong under /fhir, the
// answer is an OperationOutcome with the FHIR content type, and a bad
// code names the element by its FHIRPath.
func TestFHIREveryAnswerIsAnOutcome(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		token := f.tokens[auth.Referrer]
		body := func(from, to string) string {
			t.Helper()
			b := strings.Replace(fhirServiceRequest, from, to, 1)
			if b == fhirServiceRequest {
				t.Fatalf("%s: replacement did not apply", from)
			}
			return b
		}
		for _, c := range []struct {
			name                string
			token, method, path string
			body                string
			header              []string
			status              int
			code, expr          string
		}{
			{"anonymous read", "", "GET", "/fhir/ServiceRequest/abc", "", nil, 401, "login", ""},
			{"anonymous create", "", "POST", "/fhir/ServiceRequest", fhirServiceRequest, []string{"Content-Type", "application/fhir+json"}, 401, "login", ""},
			{"anonymous search", "", "GET", "/fhir/Task?based-on=ServiceRequest/abc", "", nil, 401, "login", ""},
			{"bad token", "not-a-token", "GET", "/fhir/Task/abc", "", nil, 401, "login", ""},
			{"another website's page", token, "POST", "/fhir/ServiceRequest", fhirServiceRequest,
				[]string{"Content-Type", "application/fhir+json", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403, "forbidden", ""},
			{"no such type", token, "GET", "/fhir/Patient/abc", "", nil, 404, "not-found", ""},
			{"the base", token, "GET", "/fhir", "", nil, 404, "not-found", ""},
			{"no such type, anonymous", "", "GET", "/fhir/Nothing", "", nil, 404, "not-found", ""},
			{"delete", token, "DELETE", "/fhir/ServiceRequest/abc", "", nil, 405, "not-supported", ""},
			{"update", token, "PUT", "/fhir/Task/abc", "{}", []string{"Content-Type", "application/fhir+json"}, 405, "not-supported", ""},
			{"post to metadata", token, "POST", "/fhir/metadata", "{}", []string{"Content-Type", "application/fhir+json"}, 405, "not-supported", ""},
			{"XML", token, "POST", "/fhir/ServiceRequest", "<ServiceRequest/>", []string{"Content-Type", "application/fhir+xml"}, 415, "not-supported", ""},
			{"bogus status", token, "POST", "/fhir/ServiceRequest", body(`"status":"active"`, `"status":"bogus"`),
				[]string{"Content-Type", "application/fhir+json"}, 422, "code-invalid", "ServiceRequest.status"},
			{"bogus intent", token, "POST", "/fhir/ServiceRequest", body(`"intent":"order"`, `"intent":"bogus"`),
				[]string{"Content-Type", "application/fhir+json"}, 422, "code-invalid", "ServiceRequest.intent"},
			{"numeric status", token, "POST", "/fhir/ServiceRequest", body(`"status":"active"`, `"status":1`),
				[]string{"Content-Type", "application/fhir+json"}, 400, "structure", "ServiceRequest.status"},
			{"unknown element", token, "POST", "/fhir/ServiceRequest", body(`"intent":"order",`, `"intent":"order","colour":"blue",`),
				[]string{"Content-Type", "application/fhir+json"}, 400, "structure", "ServiceRequest.colour"},
		} {
			t.Run(c.name, func(t *testing.T) {
				res := f.fhirRaw(c.token, c.method, c.path, c.body, c.header...)
				mustOutcome(t, res, c.status, c.code, c.expr)
				if strings.Contains(res.body, "json: cannot unmarshal") {
					t.Errorf("Go's words reach the client: %s", res.body)
				}
				switch c.status {
				case 401:
					if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
						t.Errorf("401 without WWW-Authenticate: %v", res.header)
					}
				case 405:
					if res.header.Get("Allow") == "" {
						t.Errorf("405 without Allow: %v", res.header)
					}
				}
			})
		}
		// Nothing of the refused resources was stored.
		if n := f.countFHIRReferrals(t, "GP-123"); n != 0 {
			t.Errorf("%d referrals stored from refused resources", n)
		}
	})
}

// TestFHIRClientRoundTrip runs a GP system's calls with a maintained FHIR
// client, fhir-kit-client (installed by npm ci with the front-end
// packages), on Node: the CapabilityStatement, a ServiceRequest created,
// its Task found by search, read by its fullUrl and by id, and errors read
// as OperationOutcomes. The client knows nothing of Oikos.
func TestFHIRClientRoundTrip(t *testing.T) {
	node, err := exec.LookPath("node")
	root := repoRoot(t)
	if err == nil {
		_, err = os.Stat(filepath.Join(root, "node_modules", "fhir-kit-client", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node and fhir-kit-client are needed (npm ci in the repository root): %v", err)
		}
		t.Skipf("node and fhir-kit-client are needed (npm ci in the repository root): %v", err)
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "fhirkit_roundtrip.mjs"))
		cmd.Env = append(os.Environ(), "OIKOS_FHIR_BASE="+f.ts.URL+"/fhir", "OIKOS_TOKEN="+f.tokens[auth.Referrer],
			"OIKOS_OTHER_TOKEN="+f.tokens[auth.Provider], "OIKOS_SERVICE_REQUEST="+fhirServiceRequest, "NODE_NO_WARNINGS=1")
		out, err := cmd.CombinedOutput()
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			t.Log(line)
		}
		if err != nil || strings.Contains(string(out), "FAIL ") || strings.Count(string(out), "ok ") < 14 {
			t.Errorf("the round trip with fhir-kit-client failed: %v", err)
		}
	})
}

// repoRoot is the directory holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}
