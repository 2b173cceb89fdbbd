package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"oikos/internal/auth"
	"oikos/internal/directory"
	"oikos/internal/org"
	"oikos/internal/referral"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages holds each page template parsed together with the layout.
type pages struct {
	byName map[string]*template.Template
	assets string
}

var londonTime, _ = time.LoadLocation("Europe/London")

var templateFuncs = template.FuncMap{
	"roleLabel": func(r auth.Role) string { return r.Label() },
	"kindLabel": func(k org.Kind) string { return k.Label() },
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		loc := londonTime
		if loc == nil {
			loc = time.UTC
		}
		return t.In(loc).Format("2 January 2006 at 3:04pm")
	},
	// input describes a text field for the "input" partial.
	"input": func(p *page, name, label, typ, hint, autocomplete string) inputField {
		return inputField{ID: name, Name: name, Label: label, Type: typ, Hint: hint, Autocomplete: autocomplete,
			Value: p.Form.Get(name), Error: p.Errors[name]}
	},
	"choices": func(p *page, name, legend, hint string, options []option) choiceField {
		for i := range options {
			options[i].Selected = slices.Contains(p.Form[name], options[i].Value)
		}
		return choiceField{Name: name, Legend: legend, Hint: hint, Options: options, Error: p.Errors[name]}
	},
	"inc":         func(i int) int { return i + 1 },
	"sourceLabel": referral.SourceLabel,
	"statusLabel": func(st referral.Status) string { return st.Label() },
	"waiting": func(since, now time.Time) string {
		days := int(now.Sub(since).Hours() / 24)
		switch days {
		case 0:
			return "Today"
		case 1:
			return "1 day ago"
		}
		return fmt.Sprintf("%d days ago", days)
	},
	"nextStatus": func(st referral.Status) string {
		return map[referral.Status]string{referral.Received: "accepted", referral.Accepted: "contacted", referral.Contacted: "active"}[st]
	},
	"nextLabel": func(st string) string {
		return map[string]string{"accepted": "Accept and take on", "contacted": "First contact made", "active": "Start working together"}[st]
	},
	// consentText fills the "consent" partial: the wording differs for a
	// person asking for themselves and a professional referring them.
	"consentText": func(p *page, consent, share, legend string) consentField {
		return consentField{Page: p, Consent: consent, Share: share, Legend: legend}
	},
	"urgencyOptions": func() []option {
		return []option{{Value: "routine", Label: "Routine"}, {Value: "urgent", Label: "Urgent"}}
	},
	"whoOptions": func() []option {
		return []option{{Value: "me", Label: "Me"}, {Value: "someone_else", Label: "A friend or relative, who agrees to this"}}
	},
	"dayLabel": func(day string) string { return directory.DayLabel(directory.DayNumber(day)) },
	"costOptions": func() []option {
		return []option{{Value: "free", Label: "Nothing: it is free"}, {Value: "paid", Label: "It costs something"}, {Value: "unknown", Label: "Not known"}}
	},
}

// inputField is what the "input" and "textarea" partials show. ID is the
// box's id, its Name unless several forms on a page hold the same field.
type inputField struct {
	ID, Name, Label, Type, Hint, Autocomplete, Value, Error string
}

type option struct {
	Value, Label string
	Selected     bool
}

type choiceField struct {
	Name, Legend, Hint, Error string
	Options                   []option
}

// consentField is what the "consent" partial shows.
type consentField struct {
	Page                   *page
	Consent, Share, Legend string
}

func loadPages(assets string) (*pages, error) {
	sub, _ := fs.Sub(templateFiles, "templates")
	// A page whose data lacks what its template asks for fails here, in
	// the every-template test, not in front of a person.
	shared, err := template.New("").Funcs(templateFuncs).Option("missingkey=error").ParseFS(sub, "_*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(sub, "*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}, assets: assets}
	for _, n := range names {
		if strings.HasPrefix(n, "_") {
			continue
		}
		t, err := template.Must(shared.Clone()).ParseFS(sub, n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		p.byName[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return p, nil
}

// page is what every template gets.
type page struct {
	Title   string
	Service string
	Assets  string
	User    *auth.Principal
	Nav     []navItem
	Path    string
	// Form holds submitted values to show again; Errors the problems by
	// field name, and ErrorOrder the order to list them in the summary.
	Form       url.Values
	Errors     map[string]string
	ErrorOrder []string
	// Notice is a one-line confirmation after a change.
	Notice string
	// Data is the page's own data, of the type pageData names for its
	// template.
	Data any
}

type navItem struct {
	Text, Href string
	Current    bool
}

// navFor is the menu for a role: only pages that exist for it.
func navFor(p *auth.Principal, current string) []navItem {
	if p == nil {
		return nil
	}
	items := []navItem{{Text: "Home", Href: "/"}}
	if p.Role == auth.Admin {
		items = append(items, navItem{Text: "Organisations", Href: "/admin/organisations"}, navItem{Text: "Users", Href: "/admin/users"})
	}
	if p.Role == auth.LinkWorker || p.Role == auth.Manager {
		items = append(items, navItem{Text: "Referrals", Href: "/referrals"}, navItem{Text: "Caseload", Href: "/caseload"})
	}
	if p.Role == auth.Provider || p.Role == auth.Manager {
		items = append(items, navItem{Text: "Connections", Href: "/connections"})
	}
	if p.Role == auth.Manager || p.Role == auth.Commissioner {
		items = append(items, navItem{Text: "Reports", Href: "/reports"})
	}
	items = append(items, navItem{Text: "Directory", Href: "/directory"})
	if p.Role == auth.Admin || p.Role == auth.Manager || p.Role == auth.Provider {
		items = append(items, navItem{Text: "Directory entries", Href: "/directory/manage"})
	}
	items = append(items, navItem{Text: "Your account", Href: "/account"})
	best := -1
	for i, it := range items {
		if current == it.Href || (it.Href != "/" && strings.HasPrefix(current, it.Href+"/")) {
			best = i
		}
	}
	if best >= 0 {
		items[best].Current = true
	}
	return items
}

// fieldErrors lists field problems in a stable order: the order given first,
// then any others alphabetically.
func fieldOrder(errors map[string]string, order ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range order {
		if _, ok := errors[f]; ok && !seen[f] {
			out = append(out, f)
			seen[f] = true
		}
	}
	var rest []string
	for f := range errors {
		if !seen[f] {
			rest = append(rest, f)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// render writes a page with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *page) {
	t, ok := s.pages.byName[name]
	if !ok {
		panic("no template " + name)
	}
	if err := checkPageData(name, pg.Data); err != nil {
		panic(err)
	}
	pg.Service = s.app.Config.ServiceName
	pg.Assets = s.pages.assets
	if pg.User == nil {
		pg.User = principal(r)
	}
	pg.Path = r.URL.Path
	pg.Nav = navFor(pg.User, r.URL.Path)
	if pg.Form == nil {
		pg.Form = url.Values{}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pg); err != nil {
		s.log.Error("render page", "template", name, "err", err)
		s.internalError(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// renderError shows a page that explains a problem in plain English.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	s.render(w, r, status, "error", &page{Title: title, Data: errorPage{Message: message}})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if isAPI(r.URL.Path) {
		s.apiError(w, r, errRouteNotFound)
		return
	}
	s.renderError(w, r, http.StatusNotFound, "Page not found",
		"If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.")
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request) {
	if isAPI(r.URL.Path) {
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: errorDetail{Code: "internal", Message: "Something went wrong on our side. It has been logged; please try again."}})
		return
	}
	t := s.pages.byName["error"]
	var buf bytes.Buffer
	err := t.ExecuteTemplate(&buf, "layout", &page{Title: "Sorry, there is a problem with the service", Service: s.app.Config.ServiceName,
		Assets: s.pages.assets, Form: url.Values{}, Data: errorPage{Message: "Try again later. If the problem continues, contact your administrator."}})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	if err == nil {
		buf.WriteTo(w)
	}
}
