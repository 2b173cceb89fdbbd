package web

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"oikos/internal/app"
	"oikos/internal/auth"
	"oikos/internal/web/httpx"
)

// TestEveryTemplateRenders renders every page template with a typical
// value of its data type (pageData), as nobody and as a signed-in user: a
// field a template asks for that its data lacks fails here. Every slice
// in the value holds one item and every pointer points somewhere, so the
// insides of ranges and withs are run too.
func TestEveryTemplateRenders(t *testing.T) {
	static, err := loadStatic()
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadPages(static.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := &Server{app: &app.App{Config: app.Config{ServiceName: "Oikos"}}, pages: pg, log: slog.New(slog.NewTextHandler(&logs, nil))}
	for name := range pg.byName {
		if _, ok := pageData[name]; !ok {
			t.Errorf("template %s: no data type in pageData", name)
		}
	}
	for name, want := range pageData {
		if _, ok := pg.byName[name]; !ok {
			t.Errorf("pageData names %s, which is not a template", name)
			continue
		}
		for _, who := range []*auth.Principal{nil, {UserID: "usr_x", Name: "Sam Lee", Role: auth.Manager}} {
			if who == nil && staffOnly[name] {
				continue
			}
			p := &page{Title: "A page", Notice: "Saved.", Form: url.Values{"kind": {"signpost"}, "note": {"Hello"}},
				Errors: map[string]string{"note": "Too long"}, ErrorOrder: []string{"note"}}
			if want != nil {
				p.Data = typical(want, p)
			}
			req := httptest.NewRequest(http.MethodGet, "/a/page", nil)
			if who != nil {
				req = req.WithContext(httpx.WithPrincipal(req.Context(), who))
			}
			logs.Reset()
			rec := httptest.NewRecorder()
			s.render(rec, req, http.StatusOK, name, p)
			if rec.Code != http.StatusOK {
				t.Errorf("template %s (signed in: %v): status %d\n%s", name, who != nil, rec.Code, logs.String())
			}
		}
	}
}

// staffOnly are the pages only a signed-in user reaches (their routes
// say so), which name the user.
var staffOnly = map[string]bool{"home": true, "triage": true, "connections_detail": true}

// TestRenderRefusesOtherData checks the page data's type is the one the
// template is for.
func TestRenderRefusesOtherData(t *testing.T) {
	if err := checkPageData("triage", map[string]any{"Waiting": nil}); err == nil {
		t.Error("a map was taken for the triage page")
	}
	if err := checkPageData("triage", triagePage{}); err != nil {
		t.Error(err)
	}
	if err := checkPageData("no_such_page", nil); err == nil {
		t.Error("a template without a data type was taken")
	}
}

// TestSuggestionCardsSendAConnection checks each suggestion's card leads
// to the small form that sends a connection to its service (a full form
// in every card made the page 21,000 px tall).
func TestSuggestionCardsSendAConnection(t *testing.T) {
	static, _ := loadStatic()
	pg, err := loadPages(static.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := &Server{app: &app.App{Config: app.Config{ServiceName: "Oikos"}}, pages: pg, log: slog.New(slog.NewTextHandler(&logs, nil))}
	p := &page{Title: "Find activities", Form: url.Values{}}
	v := typical(suggestionsView{}, p).(suggestionsView)
	v.Open = true
	v.Referral.ID = "ref_x"
	v.Items = append(v.Items, v.Items[0])
	v.Items[0].ID, v.Items[1].ID = "svc_a", "svc_b"
	p.Data = v
	rec := httptest.NewRecorder()
	s.render(rec, httptest.NewRequest(http.MethodGet, "/referrals/x/suggestions", nil), http.StatusOK, "suggestions", p)
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d\n%s", rec.Code, logs.String())
	}
	if strings.Contains(body, "%!") {
		t.Error("a value is missing from the page: " + body[strings.Index(body, "%!"):][:40])
	}
	for _, want := range []string{`href="/referrals/ref_x/connections/new?service_id=svc_a"`, `href="/referrals/ref_x/connections/new?service_id=svc_b"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the suggestions page lacks %s", want)
		}
	}
	if n := strings.Count(body, `name="kind"`); n != 0 {
		t.Errorf("%d kind radios on the cards, want none", n)
	}
}

// typical is a value of want's type with every slice holding one item,
// every map one entry, every pointer pointing at a typical value, and
// every string and number set; the page's own fields are pg.
func typical(want any, pg *page) any {
	v := reflect.New(reflect.TypeOf(want)).Elem()
	fill(v, pg, 0)
	return v.Interface()
}

var pageType = reflect.TypeOf(&page{})

func fill(v reflect.Value, pg *page, depth int) {
	if depth > 6 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type() == pageType {
			v.Set(reflect.ValueOf(pg))
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), pg, depth+1)
		v.Set(p)
	case reflect.Struct:
		switch v.Type() {
		case reflect.TypeOf(time.Time{}):
			v.Set(reflect.ValueOf(time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.CanSet() {
				fill(f, pg, depth+1)
			} else if f.Type() == pageType {
				// The forms that read the page's values keep it unexported.
				reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem().Set(reflect.ValueOf(pg))
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), pg, depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, pg, depth+1)
		fill(e, pg, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.String:
		if v.Type() == reflect.TypeOf(template.HTML("")) {
			v.SetString("<svg></svg>")
			return
		}
		v.SetString("x")
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(2)
	case reflect.Float64, reflect.Float32:
		v.SetFloat(1.5)
	case reflect.Bool:
		v.SetBool(true)
	}
}
