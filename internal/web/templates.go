package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"oikos/internal/auth"
	"oikos/internal/budget"
	"oikos/internal/community"
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
		// A checkbox group's error is keyed to its first box, so that the
		// error summary links to a box that exists.
		msg := p.Errors[name]
		if msg == "" && len(options) > 0 {
			msg = p.Errors[name+"-"+options[0].Value]
		}
		return choiceField{Name: name, Legend: legend, Hint: hint, Options: options, Error: msg}
	},
	"inc":   func(i int) int { return i + 1 },
	"dayOf": dayOf,
	// dateInput is a date asked for in day, month and year boxes (the
	// caseworkDate template), NAME-day and so on, from the page's form.
	"dateInput":   func(pg *page, name, legend, hint string) dateField { return newDateField(pg, name, legend, hint) },
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
	// inputFor is a box of a form repeated on a page (one for each
	// purchase): its id is its own, its name the form's field.
	"inputFor": func(p *page, id, name, label, typ, hint string) inputField {
		return inputField{ID: id, Name: name, Label: label, Type: typ, Hint: hint, Value: p.Form.Get(id), Error: p.Errors[id]}
	},
	"pounds": budget.Pounds,
	"entryLabel": func(kind, status string) string {
		switch {
		case kind == budget.Allocation:
			return "Allowance"
		case kind == budget.Reversal:
			return "Reversal"
		case status == budget.AwaitingApproval:
			return "Purchase awaiting approval"
		case status == budget.Refused:
			return "Purchase refused"
		}
		return "Purchase"
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
	// Alerts are the immediate-level safeguarding concerns the user has
	// not yet read: at the top of every page until they have.
	Alerts []community.ConcernAlert
	// Data is the page's own data, of the type pageData names for its
	// template.
	Data any
}

type navItem struct {
	Text, Href string
	Current    bool
}

// menu is the header's menu, in order: each item is shown to whoever its
// page's route lets in (routes.go), so the menu and the routes cannot
// disagree.
var menu = []navItem{
	{Text: "Organisations", Href: "/admin/organisations"}, {Text: "Users", Href: "/admin/users"},
	{Text: "Referrals", Href: "/referrals"}, {Text: "Caseload", Href: "/caseload"}, {Text: "Find a person", Href: "/people"},
	{Text: "Budgets", Href: "/budgets"}, {Text: "Connections", Href: "/connections"}, {Text: "Grants", Href: "/grants"},
	{Text: "Reports", Href: "/reports"},
	{Text: "Directory", Href: "/directory"}, {Text: "Directory entries", Href: "/directory/manage"},
	{Text: "Volunteers", Href: "/volunteers"}, {Text: "People you support", Href: "/volunteering"},
	{Text: "Concerns", Href: "/concerns"}, {Text: "Your account", Href: "/account"},
}

// navFor is the menu for a signed-in user: only pages that exist for them.
func (s *Server) navFor(p *auth.Principal, current string) []navItem {
	if p == nil {
		return nil
	}
	items := []navItem{{Text: "Home", Href: "/"}}
	for _, it := range menu {
		if access, ok := s.access["GET "+it.Href]; ok && access.Allows(p) {
			items = append(items, it)
		}
	}
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
