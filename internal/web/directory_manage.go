package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/course"
	"oikos/internal/directory"
	"oikos/internal/taxonomy"
	"oikos/internal/web/httpx"
)

// The directory editor: providers keep their own organisation's services;
// managers and administrators keep everyone's.

func (s *Server) manageFilter(r *http.Request) directory.ListFilter {
	f := directory.ListFilter{Limit: 50, OrganisationID: auth.OwnOrganisationOnly(httpx.Principal(r))}
	if off, ok := directory.DecodeCursor(r.URL.Query().Get("page")); ok {
		f.Offset = off
	}
	return f
}

func (s *Server) listServices(w http.ResponseWriter, r *http.Request, stale bool) {
	f := s.manageFilter(r)
	title := "Directory entries"
	if stale {
		f.StaleBefore = time.Now().Add(-directory.StaleAfter)
		f.ActiveOnly = true
		title = "Services to check"
	}
	items, total, err := s.dir.List(r.Context(), f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	next := ""
	if f.Offset+len(items) < total {
		next = directory.EncodeCursor(f.Offset + len(items))
	}
	pg := &page{Title: title, Data: managePage{Items: items, Total: total, Stale: stale, Next: next, Now: time.Now()}}
	pg.Notice = map[string]string{"closed": "The service has been marked as closed.", "checked": "Thank you: the service is marked as checked today."}[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "manage_services", pg)
}

// serviceForm is what the editor page shows.
type serviceForm struct {
	Action     string
	Service    *directory.Service
	Orgs       []option
	FixedOrg   string
	Categories []option
	Days       []dayRow
	// CourseRepeats and CourseStart ask for a course's dated sessions.
	CourseRepeats []option
	CourseStart   dateField
}

type dayRow struct {
	Day, Label, Opens, Closes, OpensError, ClosesError string
}

func (s *Server) serviceFormData(r *http.Request, action string, v *directory.Service, form url.Values, errs map[string]string) (*serviceForm, error) {
	data := &serviceForm{Action: action, Service: v}
	if own := auth.OwnOrganisationOnly(httpx.Principal(r)); own != "" {
		data.FixedOrg = s.orgName(r.Context(), own)
	} else {
		_, opts, err := s.orgNames(r.Context())
		if err != nil {
			return nil, err
		}
		data.Orgs = append([]option{{Value: "", Label: "Choose an organisation"}}, opts[1:]...)
	}
	picked := map[string]bool{}
	for _, c := range form["categories"] {
		picked[c] = true
	}
	for _, c := range taxonomy.Categories {
		data.Categories = append(data.Categories, option{Value: c.Code, Label: c.Label, Selected: picked[c.Code]})
	}
	data.CourseRepeats = []option{{Value: "", Label: "No: only the weekly times above"}, {Value: course.EveryWeek, Label: "Every week"},
		{Value: course.EveryTwoWeeks, Label: "Every two weeks"},
		{Value: course.MonthlyByWeekday, Label: "Once a month, on the same weekday (like the first Monday)"},
		{Value: course.MonthlyByDate, Label: "Once a month, on the same date"}}
	if v != nil && v.Course != nil {
		if _, _, ok := course.PatternOf(*v.Course); !ok {
			data.CourseRepeats = append(data.CourseRepeats, option{Value: "custom", Label: "Keep the rule set through the API: " + v.Course.RRule})
		}
	}
	data.CourseStart = dateField{Name: "course_start", Legend: "Date of the first session", Hint: "For example, 2 3 2026",
		Day: form.Get("course_start-day"), Month: form.Get("course_start-month"), Year: form.Get("course_start-year"), Error: errs["course_start-day"]}
	for i, d := range directory.Days {
		data.Days = append(data.Days, dayRow{Day: d, Label: directory.DayLabel(i + 1), Opens: form.Get("opens-" + d), Closes: form.Get("closes-" + d),
			OpensError: errs["opens-"+d], ClosesError: errs["closes-"+d]})
	}
	return data, nil
}

// serviceToForm fills the editor from a stored service.
func serviceToForm(v directory.Service) url.Values {
	f := url.Values{
		"organisation_id": {v.OrganisationID}, "name": {v.Name}, "description": {v.Description}, "location_name": {v.LocationName},
		"address": {v.Address}, "postcode": {v.Postcode}, "fees_description": {v.FeesNote},
		"url": {v.URL}, "email": {v.Email}, "phone": {v.Phone}, "eligibility": {v.Eligibility},
		"accessibility": {strings.Join(v.Accessibility, "\n")}, "languages": {strings.Join(v.Languages, ", ")},
		"categories": v.Categories,
	}
	splitDate(f, "started_on", v.StartedOn)
	if v.GrantApplicationID != nil {
		f.Set("grant_application_id", *v.GrantApplicationID)
	}
	if v.Course != nil {
		if pattern, sessions, ok := course.PatternOf(*v.Course); ok {
			f.Set("course_repeat", pattern)
			if sessions > 0 {
				f.Set("course_sessions", strconv.Itoa(sessions))
			}
		} else {
			f.Set("course_repeat", "custom")
		}
		if day, clock, ok := course.StartParts(*v.Course); ok {
			f.Set("course_start-day", strconv.Itoa(day.Day()))
			f.Set("course_start-month", strconv.Itoa(int(day.Month())))
			f.Set("course_start-year", strconv.Itoa(day.Year()))
			f.Set("course_time", clock)
		}
		f.Set("course_minutes", strconv.Itoa(v.Course.Minutes))
	}
	switch {
	case v.CostPence == nil:
		f.Set("cost", "unknown")
	case *v.CostPence == 0:
		f.Set("cost", "free")
	default:
		f.Set("cost", "paid")
		f.Set("cost_pounds", fmt.Sprintf("%d.%02d", *v.CostPence/100, *v.CostPence%100))
	}
	if v.Capacity != nil {
		f.Set("capacity", strconv.Itoa(*v.Capacity))
	}
	if v.CitizenLed {
		f.Set("citizen_led", "yes")
	}
	for _, ptr := range []struct {
		name string
		v    *int
	}{{"min_age", v.MinAge}, {"max_age", v.MaxAge}} {
		if ptr.v != nil {
			f.Set(ptr.name, strconv.Itoa(*ptr.v))
		}
	}
	for _, sess := range v.Schedule {
		if f.Get("opens-"+sess.Day) == "" {
			f.Set("opens-"+sess.Day, sess.Opens)
			f.Set("closes-"+sess.Day, sess.Closes)
		}
	}
	return f
}

// parsePence reads "£4.50", "4.5" or "4" as pence, exactly: money is never
// a float.
func parsePence(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "£")
	pounds, pence, hasPence := strings.Cut(s, ".")
	if pounds == "" && !hasPence {
		return 0, false
	}
	if pounds == "" {
		pounds = "0"
	}
	p, err := strconv.ParseInt(pounds, 10, 64)
	if err != nil || p < 0 || p > 100000 {
		return 0, false
	}
	if hasPence {
		if len(pence) == 1 {
			pence += "0"
		}
		if len(pence) != 2 {
			return 0, false
		}
		n, err := strconv.Atoi(pence)
		if err != nil || n < 0 {
			return 0, false
		}
		return p*100 + int64(n), true
	}
	return p * 100, true
}

// formToInput reads the editor form, collecting the problems that only the
// form can have (numbers that are not numbers) beside the Input.
func formToInput(f url.Values) (directory.Input, map[string]string) {
	errs := map[string]string{}
	// The start date comes in day, month and year boxes; the API's
	// started_on stays one YYYY-MM-DD value.
	joinDates(f, "started_on")
	in := directory.Input{
		OrganisationID: f.Get("organisation_id"), Name: f.Get("name"), Description: f.Get("description"),
		Categories: f["categories"], Postcode: f.Get("postcode"), Address: f.Get("address"), LocationName: f.Get("location_name"),
		FeesNote: f.Get("fees_description"), CitizenLed: f.Get("citizen_led") == "yes", StartedOn: f.Get("started_on"),
		URL: f.Get("url"), Email: f.Get("email"), Phone: f.Get("phone"), Eligibility: f.Get("eligibility"),
		Accessibility: strings.Split(f.Get("accessibility"), "\n"), Languages: strings.Split(f.Get("languages"), ","),
	}
	if award := strings.TrimSpace(f.Get("grant_application_id")); award != "" {
		in.GrantApplicationID = &award
	}
	switch f.Get("cost") {
	case "free":
		zero := int64(0)
		in.CostPence = &zero
	case "paid":
		if p, ok := parsePence(f.Get("cost_pounds")); ok && p > 0 {
			in.CostPence = &p
		} else {
			errs["cost_pounds"] = "Enter the cost in pounds and pence, like 3.50."
		}
	}
	for name, dst := range map[string]**int{"capacity": &in.Capacity, "min_age": &in.MinAge, "max_age": &in.MaxAge} {
		if v := strings.TrimSpace(f.Get(name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs[name] = "Enter a whole number, or leave it empty."
				continue
			}
			*dst = &n
		}
	}
	if repeat := f.Get("course_repeat"); repeat != "" && repeat != "custom" {
		in.Course = courseFromForm(f, repeat, errs)
	}
	for _, d := range directory.Days {
		opens, closes := strings.TrimSpace(f.Get("opens-"+d)), strings.TrimSpace(f.Get("closes-"+d))
		if opens == "" && closes == "" {
			continue
		}
		in.Schedule = append(in.Schedule, directory.Session{Day: d, Opens: opens, Closes: closes})
	}
	return in, errs
}

// courseFromForm reads a course's boxes: the first session's date and
// time, how long each lasts and how many there are; the rule is built by
// package course from the repeat chosen.
func courseFromForm(f url.Values, repeat string, errs map[string]string) *course.Course {
	date := dateParts(f, "course_start")
	if date == "" || date == "invalid" {
		errs["course_start-day"] = "Enter the date of the first session, like 2 3 2026."
	}
	clock, err := time.Parse("15:04", strings.TrimSpace(f.Get("course_time")))
	if err != nil {
		errs["course_time"] = "Enter the time of each session on the 24-hour clock, like 18:30."
	}
	minutes, err := strconv.Atoi(strings.TrimSpace(f.Get("course_minutes")))
	if err != nil {
		errs["course_minutes"] = "Enter how long each session lasts, in minutes, like 90."
	}
	sessions := 0
	if v := strings.TrimSpace(f.Get("course_sessions")); v != "" {
		if sessions, err = strconv.Atoi(v); err != nil {
			errs["course_sessions"] = "Enter how many sessions as a whole number, or leave it empty if it carries on."
		}
	}
	c, err := course.FromPattern(repeat, date+"T"+clock.Format("15:04"), minutes, sessions)
	var e *oikos.Error
	if errors.As(err, &e) {
		for k, v := range e.Fields {
			errs["course_"+k] = v
		}
	}
	return &c
}

// formFieldErrors renames the Input's field errors to the form's field ids.
func formFieldErrors(in directory.Input, err error) (map[string]string, error) {
	var e *oikos.Error
	if !errors.As(err, &e) {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range e.Fields {
		var i int
		var part string
		if n, _ := fmt.Sscanf(k, "schedule[%d].%s", &i, &part); n == 2 && i < len(in.Schedule) {
			k = part + "-" + in.Schedule[i].Day
		}
		if k == "cost_pence" {
			k = "cost_pounds"
		}
		if k == "started_on" {
			k = "started_on-day"
			if strings.Contains(v, "2024-03-01") {
				v = "Start date must be a real date, like 1 3 2024."
			}
		}
		if k == "categories" {
			k = "categories-" + taxonomy.Categories[0].Code
		}
		if box, ok := map[string]string{"course.rrule": "course_repeat", "course.dtstart": "course_start-day",
			"course.duration_minutes": "course_minutes"}[k]; ok {
			k = box
		}
		out[k] = v
	}
	if len(out) == 0 {
		out["name"] = e.Message
	}
	return out, nil
}

var serviceFieldOrder = []string{"organisation_id", "name", "description", "categories-" + taxonomy.Categories[0].Code, "location_name", "address", "postcode"}

func (s *Server) renderServiceForm(w http.ResponseWriter, r *http.Request, status int, title, action string, v *directory.Service, form url.Values, errs map[string]string) {
	data, err := s.serviceFormData(r, action, v, form, errs)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &page{Title: title, Form: form, Data: data}
	if len(errs) > 0 {
		pg.Errors = errs
		pg.ErrorOrder = fieldOrder(errs, serviceFieldOrder...)
	}
	s.render(w, r, status, "service_form", pg)
}

func (s *Server) manageNew(w http.ResponseWriter, r *http.Request) {
	s.renderServiceForm(w, r, http.StatusOK, "Add a service", "/directory/manage/new", nil, url.Values{"cost": {"free"}}, nil)
}

func (s *Server) manageCreate(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	if own := auth.OwnOrganisationOnly(httpx.Principal(r)); own != "" {
		r.PostForm.Set("organisation_id", own)
	}
	in, errs := s.checkServiceForm(r, r.PostForm)
	if errs == nil {
		v, err := s.dir.Create(r.Context(), httpx.Actor(r), in)
		if err == nil {
			http.Redirect(w, r, "/directory/services/"+v.ID, http.StatusSeeOther)
			return
		}
		if errs, err = formFieldErrors(in, err); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	s.renderServiceForm(w, r, http.StatusUnprocessableEntity, "Add a service", "/directory/manage/new", nil, r.PostForm, errs)
}

// checkServiceForm reads and validates the editor form, returning every
// problem at once (nil when there are none).
func (s *Server) checkServiceForm(r *http.Request, form url.Values) (directory.Input, map[string]string) {
	in, errs := formToInput(form)
	if verr := in.Validate(); verr != nil {
		more, err := formFieldErrors(in, verr)
		if err == nil {
			for k, v := range more {
				if _, ok := errs[k]; !ok {
					errs[k] = v
				}
			}
		}
	}
	if _, bad := errs["organisation_id"]; !bad && in.OrganisationID != "" && !mayEditFor(httpx.Principal(r), in.OrganisationID) {
		errs["organisation_id"] = "You may keep services only for your own organisation."
	}
	if len(errs) == 0 {
		return in, nil
	}
	return in, errs
}

func (s *Server) manageEdit(w http.ResponseWriter, r *http.Request) {
	v, err := s.editableService(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderServiceForm(w, r, http.StatusOK, "Edit "+v.Name, "/directory/manage/"+v.ID, &v, serviceToForm(v), nil)
}

func (s *Server) manageUpdate(w http.ResponseWriter, r *http.Request) {
	v, err := s.editableService(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !parseForm(w, r) {
		return
	}
	if auth.OwnOrganisationOnly(httpx.Principal(r)) != "" {
		r.PostForm.Set("organisation_id", v.OrganisationID)
	}
	in, errs := s.checkServiceForm(r, r.PostForm)
	// A course whose rule the editor cannot show (set through the API) is
	// kept as it is while "keep" stays chosen.
	if r.PostForm.Get("course_repeat") == "custom" {
		in.Course = v.Course
	}
	if errs == nil {
		if _, err = s.dir.Update(r.Context(), httpx.Actor(r), v.ID, in); err == nil {
			http.Redirect(w, r, "/directory/services/"+v.ID+"?done=saved", http.StatusSeeOther)
			return
		}
		if errs, err = formFieldErrors(in, err); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	s.renderServiceForm(w, r, http.StatusUnprocessableEntity, "Edit "+v.Name, "/directory/manage/"+v.ID, &v, r.PostForm, errs)
}

func (s *Server) serviceAction(w http.ResponseWriter, r *http.Request, action string) {
	v, err := s.editableService(r)
	if err == nil {
		switch action {
		case "checked":
			err = s.dir.MarkChecked(r.Context(), httpx.Actor(r), v.ID)
		case "closed":
			err = s.dir.SetStatus(r.Context(), httpx.Actor(r), v.ID, "closed")
		case "reopened":
			err = s.dir.SetStatus(r.Context(), httpx.Actor(r), v.ID, "active")
		}
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if back := r.FormValue("back"); back == "stale" {
		http.Redirect(w, r, "/directory/manage/stale?done="+action, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/directory/services/"+v.ID+"?done="+action, http.StatusSeeOther)
}

func (s *Server) manageServices(w http.ResponseWriter, r *http.Request) { s.listServices(w, r, false) }

func (s *Server) manageStale(w http.ResponseWriter, r *http.Request) { s.listServices(w, r, true) }

func (s *Server) manageChecked(w http.ResponseWriter, r *http.Request) {
	s.serviceAction(w, r, "checked")
}

func (s *Server) manageClose(w http.ResponseWriter, r *http.Request) { s.serviceAction(w, r, "closed") }

func (s *Server) manageReopen(w http.ResponseWriter, r *http.Request) {
	s.serviceAction(w, r, "reopened")
}
