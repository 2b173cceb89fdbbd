package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Every form on every page is submitted by TestBrowserEveryForm. The list
// of forms comes from the templates themselves: a form added to a page
// fails TestEveryFormIsTested until a step of the browser test sends it
// and formSteps says which.
//
// A form is known by its method, its action as a route pattern (ids as *)
// and the page it is on, as the browser sees that page: its path pattern.
// A form in a partial (the connect form, the period form) is one form on
// each page that includes it, as a person meets it; the sign-out buttons
// in the header are one form wherever they are.

// templatesDir is where the page templates are, from this package.
var templatesDir = filepath.Join("..", "..", "internal", "web", "templates")

// formPages lists, for each template that holds a form (itself or through
// a partial), the pages that show it, as path patterns with * for an id.
var formPages = map[string][]string{
	"budget.html":                {"/referrals/*/budget"},
	"budgets.html":               {"/budgets"},
	"grant_application.html":     {"/grants/applications/*"},
	"grant_apply.html":           {"/grants/rounds/*/apply"},
	"grant_round_form.html":      {"/grants/rounds/new"},
	"grants_report.html":         {"/reports/grants"},
	"group_register.html":        {"/groups/register"},
	"group_registrations.html":   {"/groups/registrations"},
	"account.html":               {"/account"},
	"answer.html":                {"/answer/*"},
	"caseload.html":              {"/caseload"},
	"concern.html":               {"/concerns/*"},
	"concern_form.html":          {"/referrals/*/concerns/new", "/volunteer-matches/*/concern", "/connections/*/concern"},
	"volunteer_details.html":     {"/volunteering/details"},
	"volunteer_form.html":        {"/volunteers/new", "/volunteers/*"},
	"volunteer_match.html":       {"/volunteer-matches/*"},
	"volunteer_suggestions.html": {"/referrals/*/volunteers"},
	"volunteering_report.html":   {"/reports/volunteering"},
	"connections_detail.html":    {"/connections/*"},
	"connections_new.html":       {"/referrals/*/connections/new"},
	"contact_form.html":          {"/referrals/*/contacts/new"},
	"conversation_form.html":     {"/referrals/*/conversation/new"},
	"coverage.html":              {"/reports/coverage"},
	"coverage_unmet.html":        {"/reports/unmet-needs"},
	"directory.html":             {"/directory"},
	"engagement.html":            {"/reports/engagement"},
	"enrol.html":                 {"/sign-in/two-factor"},
	"measure_form.html":          {"/referrals/*/measures/new"},
	"my_link.html":               {"/my/link/*"},
	"my_measure_form.html":       {"/my/measures/new"},
	"my_plan.html":               {"/my"},
	"my_plan_form.html":          {"/my/goals/new", "/my/goals/*/edit", "/my/goals/*/steps/new", "/my/goals/*/steps/*/edit"},
	"my_reminders.html":          {"/my/reminders"},
	"my_sign_in.html":            {"/my/sign-in"},
	"org_form.html":              {"/admin/organisations/new", "/admin/organisations/*"},
	"people.html":                {"/people"},
	"person_form.html":           {"/people/*/edit"},
	"person_erasure.html":        {"/people/*/erasure"},
	"person_restriction.html":    {"/people/*/restriction"},
	"plan_form.html":             {"/referrals/*/plan"},
	"professional_referral.html": {"/referrals/new"},
	"referral.html":              {"/referrals/*"},
	"referral_close.html":        {"/referrals/*/close"},
	"reminders.html":             {"/referrals/*/reminders"},
	"reports.html":               {"/reports"},
	"self_referral.html":         {"/refer"},
	"service.html":               {"/directory/services/*"},
	"service_form.html":          {"/directory/manage/new", "/directory/manage/*"},
	"setup.html":                 {"/setup/*"},
	"sign_in.html":               {"/sign-in"},
	"sign_in_code.html":          {"/sign-in/code"},
	"suggestions.html":           {"/referrals/*/suggestions"},
	"user_form.html":             {"/admin/users/new", "/admin/users/*"},
}

// formActions says, page by page, what an action the handler computes
// ({{.Data.Action}} and the like) is there; "" means the form is not on
// that page (an organisation's status buttons are not on the page that
// adds one).
var formActions = map[string]map[string]string{
	"/reports/grants": {"{{.Path}}": "/reports/grants"},
	"/admin/organisations/new": {"{{.Data.Action}}": "/admin/organisations",
		"/admin/organisations/{{.ID}}/deactivate": "", "/admin/organisations/{{.ID}}/reactivate": ""},
	"/admin/organisations/*": {"{{.Data.Action}}": "/admin/organisations/*"},
	"/admin/users/new": {"{{.Data.Action}}": "/admin/users",
		"/admin/users/{{.ID}}/setup-link": "", "/admin/users/{{.ID}}/reset-two-factor": "", "/admin/users/{{.ID}}/sign-out-everywhere": "",
		"/admin/users/{{.ID}}/deactivate": "", "/admin/users/{{.ID}}/reactivate": ""},
	"/admin/users/*":               {"{{.Data.Action}}": "/admin/users/*"},
	"/directory/manage/new":        {"{{.Data.Action}}": "/directory/manage/new"},
	"/directory/manage/*":          {"{{.Data.Action}}": "/directory/manage/*"},
	"/setup/*":                     {"{{.Data.Action}}": "/setup/*"},
	"/connections/*":               {"{{.Action}}": "/connections/*"},
	"/answer/*":                    {"{{.Action}}": "/answer/*"},
	"/referrals/*/measures/new":    {"{{.Action}}": "/referrals/*/measures/new"},
	"/my/measures/new":             {"{{.Action}}": "/my/measures/new"},
	"/my/goals/new":                {"{{.Data.Action}}": "/my/goals/new"},
	"/my/goals/*/edit":             {"{{.Data.Action}}": "/my/goals/*/edit"},
	"/my/goals/*/steps/new":        {"{{.Data.Action}}": "/my/goals/*/steps/new"},
	"/my/goals/*/steps/*/edit":     {"{{.Data.Action}}": "/my/goals/*/steps/*/edit"},
	"/reports/coverage":            {"{{.Path}}": "/reports/coverage"},
	"/reports/unmet-needs":         {"{{.Path}}": "/reports/unmet-needs"},
	"/reports/engagement":          {"{{.Path}}": "/reports/engagement"},
	"/reports/volunteering":        {"{{.Path}}": "/reports/volunteering"},
	"/referrals/*/concerns/new":    {"{{.Data.Action}}": "/referrals/*/concerns/new"},
	"/volunteer-matches/*/concern": {"{{.Data.Action}}": "/volunteer-matches/*/concern"},
	"/connections/*/concern":       {"{{.Data.Action}}": "/connections/*/concern"},
	"/volunteers/new":              {"{{.Action}}": "/volunteers/new"},
	"/volunteers/*":                {"{{.Action}}": "/volunteers/*"},
}

// formVariants tells apart forms that send the same action from the same
// page, by the text of the button that sends each (a regular expression).
var formVariants = map[string][]string{
	"POST /people/*/restriction on /people/*/restriction": {"^Lift the restriction$", "^Restrict their record$"},
	"POST /answer/* on /answer/*":                         {"^(Accept|Put on the waiting list)$", "^Decline$", "^They came to a session today$"},
	"POST /my/goals/*/steps/* on /my":                     {"^Mark as not done", "^Mark as done"},
}

// chromeForms are the partials every page of a kind carries in its header:
// their forms are one form each, wherever they are sent from.
var chromeForms = []string{"layout", "personHeader"}

// anyPage stands for every page in a chrome form's name.
const anyPage = "any page"

// templateForm is a <form> tag in a template.
type templateForm struct {
	file, define string
	method       string // get or post
	action       string // as written, with its template expressions
}

var (
	definePattern   = regexp.MustCompile(`\{\{-?\s*define\s+"([^"]+)"`)
	includePattern  = regexp.MustCompile(`\{\{-?\s*template\s+"([^"]+)"`)
	formTagPattern  = regexp.MustCompile(`(?s)<form\b(.*?)>`)
	attrPattern     = regexp.MustCompile(`(?s)\b(method|action)="([^"]*)"`)
	exprPattern     = regexp.MustCompile(`\{\{.*?\}\}`)
	leadingExprPatt = regexp.MustCompile(`^\{\{.*?\}\}`)
)

// templateForms reads every template in dir and returns its forms and,
// for each file, the partials each of its defines includes.
func templateForms(dir string) (forms []templateForm, includes map[string]map[string][]string, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("no templates in %s", dir)
	}
	if err != nil {
		return nil, nil, err
	}
	includes = map[string]map[string][]string{}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		file, src := filepath.Base(path), string(b)
		includes[file] = map[string][]string{}
		// Defines follow one another at the top level: each runs to the next.
		starts := definePattern.FindAllStringSubmatchIndex(src, -1)
		for i, m := range starts {
			name, end := src[m[2]:m[3]], len(src)
			if i+1 < len(starts) {
				end = starts[i+1][0]
			}
			body := src[m[0]:end]
			if _, ok := includes[file][name]; !ok {
				includes[file][name] = nil
			}
			for _, inc := range includePattern.FindAllStringSubmatch(body, -1) {
				includes[file][name] = append(includes[file][name], inc[1])
			}
			for _, tag := range formTagPattern.FindAllStringSubmatch(body, -1) {
				f := templateForm{file: file, define: name, method: "get"}
				for _, a := range attrPattern.FindAllStringSubmatch(tag[1], -1) {
					if a[1] == "method" {
						f.method = strings.ToLower(a[2])
					} else {
						f.action = a[2]
					}
				}
				forms = append(forms, f)
			}
		}
	}
	return forms, includes, nil
}

// formKey names one form on one page: "POST /referrals/*/status on
// /referrals/*", with the variant's button pattern in brackets when forms
// share it.
func formKey(method, action, page string) string {
	return strings.ToUpper(method) + " " + action + " on " + page
}

// expectedForms lists every form on every page of the templates, failing
// the test on a problem with the tables.
func expectedForms(t *testing.T) map[string]string {
	t.Helper()
	want, problems, err := listForms(templatesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	return want
}

// listForms lists every form on every page, from the templates in dir and
// the tables above, each with the template it is written in, and the
// problems with the tables: a template with a form and no page, an action
// not worked out.
func listForms(dir string) (want map[string]string, problems []string, err error) {
	forms, includes, err := templateForms(dir)
	if err != nil {
		return nil, nil, err
	}
	// Where each define lives: partials in _*.html are shared; a page's own
	// defines ("content") shadow them, as the server parses them.
	shared := map[string]string{}
	for file, defs := range includes {
		if strings.HasPrefix(file, "_") {
			for name := range defs {
				shared[name] = file
			}
		}
	}
	formsIn := map[string][]templateForm{} // file + define → forms
	for _, f := range forms {
		formsIn[f.file+" "+f.define] = append(formsIn[f.file+" "+f.define], f)
	}

	want = map[string]string{}
	add := func(key, where string, seen map[string]int) {
		if seen != nil {
			seen[key]++
			if vs := formVariants[key]; len(vs) > 0 {
				if seen[key] > len(vs) {
					problems = append(problems, fmt.Sprintf("%s: more forms send %s than formVariants tells apart", where, key))
					return
				}
				key += " [" + vs[seen[key]-1] + "]"
			}
		}
		want[key] = where
	}
	for _, f := range forms {
		if slices.Contains(chromeForms, f.define) {
			add(formKey(f.method, actionPattern(f.action, nil), anyPage), f.file, nil)
		}
	}
	for file := range includes {
		if strings.HasPrefix(file, "_") {
			continue
		}
		// The forms the page template reaches, through its partials.
		var reach []templateForm
		visited := map[string]bool{}
		var walk func(file, define string)
		walk = func(file, define string) {
			if visited[file+" "+define] || slices.Contains(chromeForms, define) {
				return
			}
			visited[file+" "+define] = true
			reach = append(reach, formsIn[file+" "+define]...)
			for _, inc := range includes[file][define] {
				if _, own := includes[file][inc]; own {
					walk(file, inc)
				} else if sf, ok := shared[inc]; ok {
					walk(sf, inc)
				}
			}
		}
		for define := range includes[file] {
			walk(file, define)
		}
		if len(reach) == 0 {
			continue
		}
		pages := formPages[file]
		if len(pages) == 0 {
			problems = append(problems, fmt.Sprintf("%s holds a form: say in formPages which pages show it", file))
			continue
		}
		for _, page := range pages {
			seen := map[string]int{}
			for _, f := range reach {
				dyn := formActions[page]
				if a, ok := dyn[f.action]; ok && a == "" {
					continue // not on this page
				}
				action := actionPattern(f.action, dyn)
				if strings.Contains(action, "{{") {
					problems = append(problems, fmt.Sprintf("%s on %s: the action %q is worked out by the handler: say in formActions what it is there", file, page, f.action))
					continue
				}
				add(formKey(f.method, action, page), file, seen)
			}
		}
	}
	for key := range formVariants {
		found := false
		for k := range want {
			found = found || strings.HasPrefix(k, key+" [")
		}
		if !found {
			problems = append(problems, fmt.Sprintf("formVariants names %s, which no template has", key))
		}
	}
	sort.Strings(problems)
	return want, problems, nil
}

// actionPattern turns a form's action as written into a path pattern: a
// leading expression the handler computes is looked up in dyn, the others
// (ids) become *.
func actionPattern(action string, dyn map[string]string) string {
	if a, ok := dyn[action]; ok {
		return a
	}
	if lead := leadingExprPatt.FindString(action); lead != "" {
		a, ok := dyn[lead]
		if !ok {
			return action // reported by the caller
		}
		action = a + action[len(lead):]
	}
	action, _, _ = strings.Cut(exprPattern.ReplaceAllString(action, "*"), "?")
	return action
}

// formSteps says which step of TestBrowserEveryForm sends each form.
var formSteps = map[string]string{
	"POST /referrals/*/budget on /referrals/*/budget":                               "link-worker-budget",
	"POST /referrals/*/budget/purchases on /referrals/*/budget":                     "link-worker-budget",
	"POST /referrals/*/budget/purchases/*/reversal on /referrals/*/budget":          "link-worker-budget",
	"POST /budgets/purchases/*/decision on /budgets":                                "manager-budgets",
	"POST /budgets/settings on /budgets":                                            "manager-budgets",
	"POST /groups/register on /groups/register":                                     "public-group-registration",
	"POST /groups/registrations/*/decision on /groups/registrations":                "manager-group-registrations",
	"POST /grants/rounds on /grants/rounds/new":                                     "manager-grant-round",
	"POST /grants/rounds/*/applications on /grants/rounds/*/apply":                  "provider-grant-application",
	"POST /grants/applications/*/decision on /grants/applications/*":                "manager-grant-decision",
	"POST /grants/applications/*/payments on /grants/applications/*":                "manager-grant-decision",
	"GET /reports/grants on /reports/grants":                                        "manager-grant-decision",
	"GET /directory on /directory":                                                  "public-directory",
	"POST /refer on /refer":                                                         "public-self-referral",
	"POST /sign-in on /sign-in":                                                     "admin-sign-in",
	"POST /sign-in/two-factor on /sign-in/two-factor":                               "admin-sign-in",
	"POST /admin/organisations on /admin/organisations/new":                         "admin-organisations",
	"POST /admin/organisations/* on /admin/organisations/*":                         "admin-organisations",
	"POST /admin/organisations/*/deactivate on /admin/organisations/*":              "admin-organisations",
	"POST /admin/organisations/*/reactivate on /admin/organisations/*":              "admin-organisations",
	"POST /admin/users on /admin/users/new":                                         "admin-users",
	"POST /setup/* on /setup/*":                                                     "admin-users",
	"POST /admin/users/* on /admin/users/*":                                         "admin-users",
	"POST /admin/users/*/sign-out-everywhere on /admin/users/*":                     "admin-users",
	"POST /admin/users/*/reset-two-factor on /admin/users/*":                        "admin-users",
	"POST /admin/users/*/setup-link on /admin/users/*":                              "admin-users",
	"POST /admin/users/*/deactivate on /admin/users/*":                              "admin-users",
	"POST /admin/users/*/reactivate on /admin/users/*":                              "admin-users",
	"POST /referrals/new on /referrals/new":                                         "gp-referral",
	"POST /account/tokens on /account":                                              "gp-account",
	"POST /account/tokens/*/revoke on /account":                                     "gp-account",
	"POST /account/sign-out-everywhere on /account":                                 "gp-account",
	"POST /sign-in/code on /sign-in/code":                                           "gp-account",
	"POST /referrals/*/assign on /referrals/*":                                      "manager-triage",
	"GET /caseload on /caseload":                                                    "manager-triage",
	"POST /referrals/*/status on /referrals/*":                                      "link-worker-triage",
	"POST /referrals/*/match on /referrals/*":                                       "link-worker-triage",
	"POST /referrals/*/contacts/new on /referrals/*/contacts/new":                   "link-worker-casework",
	"POST /referrals/*/conversation/new on /referrals/*/conversation/new":           "link-worker-casework",
	"POST /referrals/*/plan on /referrals/*/plan":                                   "link-worker-casework",
	"GET /referrals/*/measures/new on /referrals/*/measures/new":                    "link-worker-measures",
	"POST /referrals/*/measures/new on /referrals/*/measures/new":                   "link-worker-measures",
	"POST /referrals/*/suggestions/preferences on /referrals/*/suggestions":         "link-worker-suggestions",
	"GET /referrals/*/connections/new on /referrals/*/connections/new":              "link-worker-connect",
	"POST /referrals/*/connections on /referrals/*/connections/new":                 "link-worker-connect",
	"POST /referrals/*/reminders on /referrals/*/reminders":                         "link-worker-reminders",
	"POST /referrals/*/gp-share on /referrals/*":                                    "link-worker-gp-share",
	"POST /referrals/*/portal/code on /referrals/*":                                 "person-own-pages",
	"POST /my/sign-in on /my/sign-in":                                               "person-own-pages",
	"POST /my/goals/*/steps/* on /my [^Mark as done]":                               "person-own-pages",
	"POST /my/goals/*/steps/* on /my [^Mark as not done]":                           "person-own-pages",
	"POST /my/goals/* on /my":                                                       "person-own-pages",
	"POST /my/goals/new on /my/goals/new":                                           "person-own-pages",
	"POST /my/goals/*/edit on /my/goals/*/edit":                                     "person-own-pages",
	"POST /my/goals/*/steps/new on /my/goals/*/steps/new":                           "person-own-pages",
	"POST /my/goals/*/steps/*/edit on /my/goals/*/steps/*/edit":                     "person-own-pages",
	"POST /my/measures/new on /my/measures/new":                                     "person-own-pages",
	"POST /my/reminders on /my/reminders":                                           "person-own-pages",
	"POST /my/sign-out on any page":                                                 "person-own-pages",
	"POST /referrals/*/portal/link on /referrals/*":                                 "person-own-pages",
	"POST /my/link/* on /my/link/*":                                                 "person-own-pages",
	"POST /connections/*/decision on /connections/*":                                "provider-connection",
	"POST /connections/*/first-session on /connections/*":                           "provider-connection",
	"POST /connections/*/attendance on /connections/*":                              "provider-connection",
	"POST /connections/*/update on /connections/*":                                  "provider-connection",
	"POST /connections/*/status on /connections/*":                                  "provider-connection",
	"POST /answer/* on /answer/* [^(Accept|Put on the waiting list)$]":              "provider-answer-links",
	"POST /answer/* on /answer/* [^They came to a session today$]":                  "provider-answer-links",
	"POST /answer/* on /answer/* [^Decline$]":                                       "provider-answer-links",
	"POST /directory/manage/new on /directory/manage/new":                           "provider-directory",
	"POST /directory/manage/*/checked on /directory/services/*":                     "provider-directory",
	"POST /directory/manage/*/close on /directory/services/*":                       "provider-directory",
	"POST /directory/manage/*/reopen on /directory/services/*":                      "provider-directory",
	"POST /directory/manage/* on /directory/manage/*":                               "provider-directory",
	"POST /people/*/restriction on /people/*/restriction [^Restrict their record$]": "manager-rights",
	"POST /people/*/restriction on /people/*/restriction [^Lift the restriction$]":  "manager-rights",
	"POST /referrals/*/close on /referrals/*/close":                                 "manager-rights",
	"POST /people/*/erasure on /people/*/erasure":                                   "manager-rights",
	"GET /reports on /reports":                                                      "manager-reports",
	"GET /reports/coverage on /reports/coverage":                                    "commissioner-reports",
	"GET /reports/unmet-needs on /reports/unmet-needs":                              "commissioner-reports",
	"GET /reports/engagement on /reports/engagement":                                "commissioner-reports",
	"POST /sign-out on any page":                                                    "sign-out",
	"POST /volunteers/new on /volunteers/new":                                       "manager-volunteers",
	"POST /volunteers/* on /volunteers/*":                                           "manager-volunteers",
	"GET /referrals/*/volunteers on /referrals/*/volunteers":                        "link-worker-volunteers",
	"POST /referrals/*/volunteers on /referrals/*/volunteers":                       "link-worker-volunteers",
	"POST /referrals/*/concerns/new on /referrals/*/concerns/new":                   "link-worker-volunteers",
	"POST /concerns/*/actions on /concerns/*":                                       "link-worker-volunteers",
	"POST /volunteer-matches/*/contacts on /volunteer-matches/*":                    "volunteer-own-pages",
	"POST /volunteer-matches/*/concern on /volunteer-matches/*/concern":             "volunteer-own-pages",
	"POST /volunteering/details on /volunteering/details":                           "volunteer-own-pages",
	"POST /volunteer-matches/*/end on /volunteer-matches/*":                         "volunteer-own-pages",
	"POST /concerns/*/acknowledge on /concerns/*":                                   "safeguarding-concerns",
	"POST /connections/*/concern on /connections/*/concern":                         "provider-concern",
	"POST /referrals/*/mentor-invitation on /referrals/*":                           "link-worker-graduate",
	"POST /referrals/*/mentor-pathway on /referrals/*":                              "link-worker-graduate",
	"GET /reports/volunteering on /reports/volunteering":                            "manager-volunteering-report",
	"POST /referrals/*/reopen on /referrals/*":                                      "manager-rights",
	"GET /people on /people":                                                        "link-worker-people",
	"POST /people/*/edit on /people/*/edit":                                         "link-worker-people",
}

// TestEveryFormIsTested fails when a template has a form that no step of
// TestBrowserEveryForm sends (or formSteps names a form no template has).
// It needs no browser: the browser test checks that each step did send
// the forms it is listed for.
func TestEveryFormIsTested(t *testing.T) {
	want := expectedForms(t)
	var missing, stale []string
	for key, file := range want {
		if formSteps[key] == "" {
			missing = append(missing, fmt.Sprintf("%q (%s)", key, file))
		}
	}
	steps := map[string]bool{}
	for _, s := range formsSteps {
		steps[s.name] = true
	}
	for key, step := range formSteps {
		if _, ok := want[key]; !ok {
			stale = append(stale, key)
		}
		if !steps[step] {
			t.Errorf("formSteps says %s is sent by %q, which is no step of TestBrowserEveryForm", key, step)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("%d forms no browser test sends: write a step of TestBrowserEveryForm that sends each, as the person who uses it, and list it in formSteps:\n\t%s",
			len(missing), strings.Join(missing, "\n\t"))
	}
	if len(stale) > 0 {
		t.Errorf("formSteps lists forms no template has:\n\t%s", strings.Join(stale, "\n\t"))
	}
	t.Logf("%d forms on %d templates", len(want), countFiles(want))
}

func countFiles(want map[string]string) int {
	files := map[string]bool{}
	for _, f := range want {
		files[f] = true
	}
	return len(files)
}

// formSubmission is one form a browser test sent.
type formSubmission struct {
	step   string
	page   string // the path of the page it came from; "" for the answer to a form
	method string
	action string // the path it was sent to
	button string
	ok     bool   // answered with a page (2xx) and no errors
	status int    // the answer's status
	errors string // the answer's error summary
}

// formLog collects the forms a browser test sends.
type formLog struct {
	mu   sync.Mutex
	sent []formSubmission
}

func (l *formLog) add(s formSubmission) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = append(l.sent, s)
}

// keys names each submission as expectedForms does, matching its paths to
// the patterns: the one with most literal segments wins, as /referrals/new
// wins over /referrals/*. A form sent from a page that was the answer to
// another form, not a page of its own, is named so, and matches nothing.
func (l *formLog) keys(want map[string]string) map[string][]formSubmission {
	l.mu.Lock()
	defer l.mu.Unlock()
	patterns := formPatterns(want)
	out := map[string][]formSubmission{}
	for _, s := range l.sent {
		action := matchPattern(s.action, patterns)
		page := "the answer to a form"
		if s.page != "" {
			page = matchPattern(s.page, patterns)
		}
		key := formKey(s.method, action, page)
		if _, ok := want[formKey(s.method, action, anyPage)]; ok {
			key = formKey(s.method, action, anyPage)
		}
		for _, v := range formVariants[key] {
			if regexp.MustCompile(v).MatchString(s.button) {
				key += " [" + v + "]"
				break
			}
		}
		out[key] = append(out[key], s)
	}
	return out
}

// formPatterns lists the path patterns of the forms' pages and actions.
func formPatterns(want map[string]string) []string {
	var patterns []string
	seen := map[string]bool{}
	for key := range want {
		base, _, _ := strings.Cut(key, " [")
		_, rest, _ := strings.Cut(base, " ")
		action, page, _ := strings.Cut(rest, " on ")
		for _, p := range []string{action, page} {
			if !seen[p] && p != anyPage {
				seen[p] = true
				patterns = append(patterns, p)
			}
		}
	}
	sort.Strings(patterns)
	return patterns
}

// matchPattern finds the pattern a path matches, or returns the path.
func matchPattern(path string, patterns []string) string {
	segs := strings.Split(path, "/")
	best, bestLiterals := path, -1
	for _, p := range patterns {
		ps := strings.Split(p, "/")
		if len(ps) != len(segs) {
			continue
		}
		literals, ok := 0, true
		for i := range ps {
			switch {
			case ps[i] == "*":
			case ps[i] == segs[i]:
				literals++
			default:
				ok = false
			}
		}
		if ok && literals > bestLiterals {
			best, bestLiterals = p, literals
		}
	}
	return best
}

// TestFormGuard checks the guard itself on a copy of the templates: a form
// added to a page is listed, and a page with a form that formPages does
// not know is a problem.
func TestFormGuard(t *testing.T) {
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join(templatesDir, "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "account.html" {
			b = append(b, []byte(`{{define "extra"}}<form method="post" action="/account/{{.ID}}/feedback" novalidate></form>{{end}}`)...)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "new_page.html"), []byte(`{{define "content"}}<form method="post" action="/new">{{end}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	want, problems, err := listForms(dir)
	if err != nil {
		t.Fatal(err)
	}
	if key := "POST /account/*/feedback on /account"; want[key] != "account.html" || formSteps[key] != "" {
		t.Errorf("the new form on the account page is not listed as untested: %q", want[key])
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "new_page.html holds a form") {
		t.Errorf("problems: %q", problems)
	}
}

func TestMatchPattern(t *testing.T) {
	patterns := []string{"/referrals/*", "/referrals/new", "/referrals/*/status", "/admin/organisations", "/admin/organisations/*"}
	for path, want := range map[string]string{
		"/referrals/ref_1":        "/referrals/*",
		"/referrals/new":          "/referrals/new",
		"/referrals/ref_1/status": "/referrals/*/status",
		"/admin/organisations":    "/admin/organisations",
		"/elsewhere":              "/elsewhere",
	} {
		if got := matchPattern(path, patterns); got != want {
			t.Errorf("matchPattern(%q) = %q, want %q", path, got, want)
		}
	}
}
