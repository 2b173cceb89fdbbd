package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"oikos"
	"oikos/internal/community"
	"oikos/internal/directory"
	"oikos/internal/web/httpx"
)

// Volunteer profiles: kept by the scheme's managers, read by the
// volunteer (who corrects their own contact details and availability) and
// by the health champion who coordinates them. Who may see which profile
// is community's and auth's; each handler is one call.

func (s *Server) apiVolunteers(w http.ResponseWriter, r *http.Request) {
	pq, err := pageQuery(r)
	var out community.Listing[community.Volunteer]
	if err == nil {
		q := r.URL.Query()
		out, err = s.vol.Volunteers(r.Context(), httpx.Actor(r), httpx.Principal(r),
			community.VolunteerFilter{Kind: q.Get("kind"), DBSDue: q.Get("dbs_due") == "true", PageQuery: pq})
	}
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiVolunteer(w http.ResponseWriter, r *http.Request) {
	v, err := s.vol.Volunteer(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("user_id"))
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) apiSaveVolunteer(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusOK, s.apiError, func(in community.VolunteerInput) (community.Volunteer, error) {
		return s.vol.SaveVolunteer(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("user_id"), in)
	})
}

// apiOwnDetails is a volunteer correcting their own contact details and
// availability: PATCH /api/v1/volunteers/{user_id} {phone?, email?,
// availability?}.
func (s *Server) apiOwnDetails(w http.ResponseWriter, r *http.Request) {
	httpx.Handle(w, r, http.StatusOK, s.apiError, func(in community.OwnDetailsInput) (community.Volunteer, error) {
		return s.vol.UpdateOwnDetails(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("user_id"), in)
	})
}

// apiCoordinated is a health champion's volunteers, as figures; a manager
// names the champion with coordinator_id (none: every volunteer).
func (s *Server) apiCoordinated(w http.ResponseWriter, r *http.Request) {
	out, err := s.vol.Coordinated(r.Context(), httpx.Actor(r), httpx.Principal(r), r.URL.Query().Get("coordinator_id"))
	s.reply(w, r, http.StatusOK, httpx.NewList(out, len(out), ""), err)
}

// Pages.

// dbsTag says where a DBS check stands, as a tag's words and colour.
func dbsTag(status string) (string, string) {
	switch status {
	case community.DBSInDate:
		return "In date", "green"
	case community.DBSExpiring:
		return "Renew within 30 days", "yellow"
	case community.DBSExpired:
		return "Expired", "red"
	}
	return "No DBS check", "red"
}

// volunteerRow is one volunteer in the managers' list.
type volunteerRow struct {
	UserID, Name, Kind, DBS, DBSColour, DBSExpires, Coordinator string
	ActiveMatches                                               int
	Graduate                                                    bool
}

type volunteersPage struct {
	Rows []volunteerRow
	// Due is set when the list keeps only those whose DBS check needs
	// chasing.
	Due     bool
	Total   int
	Next    string
	Filters []navItem
	// Unprofiled counts the scheme's volunteer accounts with no profile.
	Unprofiled int
}

func (s *Server) volunteersPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	due := q.Get("dbs_due") == "true"
	pq, err := pageQuery(r)
	var out community.Listing[community.Volunteer]
	if err == nil {
		out, err = s.vol.Volunteers(r.Context(), httpx.Actor(r), httpx.Principal(r), community.VolunteerFilter{DBSDue: due, PageQuery: pq})
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	names := map[string]string{}
	accounts, err := s.vol.Accounts(r.Context(), httpx.Principal(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := volunteersPage{Due: due, Total: out.Total}
	for _, a := range accounts {
		names[a.UserID] = a.Name
		if a.Kind == "" {
			v.Unprofiled++
		}
	}
	for _, vo := range out.Items {
		text, colour := dbsTag(vo.DBSStatus)
		row := volunteerRow{UserID: vo.UserID, Name: vo.Name, Kind: community.VolunteerKindLabel(vo.Kind), DBS: text, DBSColour: colour,
			ActiveMatches: vo.ActiveMatches, Graduate: vo.Graduate}
		if vo.DBSExpiresOn != nil {
			row.DBSExpires = longDate(*vo.DBSExpiresOn)
		}
		if vo.CoordinatorID != nil {
			row.Coordinator = names[*vo.CoordinatorID]
		}
		v.Rows = append(v.Rows, row)
	}
	v.Filters = []navItem{{Text: "Everyone", Href: "/volunteers", Current: !due}, {Text: "DBS check due", Href: "/volunteers?dbs_due=true", Current: due}}
	if out.Next != nil {
		v.Next = "/volunteers?" + url.Values{"cursor": {*out.Next}, "dbs_due": {strconv.FormatBool(due)}}.Encode()
	}
	s.render(w, r, http.StatusOK, "volunteers", &page{Title: "Volunteers", Data: v})
}

// slotFieldset is the availability lines of a form under their legend,
// which says "you" to the volunteer and "they" to their manager.
type slotFieldset struct {
	Legend string
	Rows   []slotRow
}

// slotRow is one line of availability in a form: slot-N-day, -from, -to.
type slotRow struct {
	N                            int
	Day, From, To                string
	DayError, FromError, ToError string
	Days                         []option
}

// trainingRow is one course in a form: training-N-course and the date it
// was completed in day, month and year boxes.
type trainingRow struct {
	N           int
	Course      string
	CourseError string
	Completed   dateField
}

// formRows lists the row numbers of fields named prefix-N-... in a form,
// in order.
func formRows(f url.Values, prefix string) []int {
	seen := map[int]bool{}
	pat := regexp.MustCompile(`^` + prefix + `-(\d{1,3})-`)
	for k := range f {
		if m := pat.FindStringSubmatch(k); m != nil {
			n, _ := strconv.Atoi(m[1])
			seen[n] = true
		}
	}
	var out []int
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// slotRows are a form's availability lines as shown: those sent (or
// held), then blank ones to add more.
func slotRows(pg *page, blank int) []slotRow {
	var out []slotRow
	next := 0
	add := func(n int) {
		name := fmt.Sprintf("slot-%d-", n)
		day := pg.Form.Get(name + "day")
		days := []option{{Value: "", Label: "Choose a day"}}
		for i, d := range directory.Days {
			days = append(days, option{Value: d, Label: directory.DayLabel(i + 1), Selected: d == day})
		}
		out = append(out, slotRow{N: n, Day: day, From: pg.Form.Get(name + "from"), To: pg.Form.Get(name + "to"), Days: days,
			DayError: pg.Errors[name+"day"], FromError: pg.Errors[name+"from"], ToError: pg.Errors[name+"to"]})
		next = max(next, n+1)
	}
	for _, n := range formRows(pg.Form, "slot") {
		if pg.Form.Get(fmt.Sprintf("slot-%d-day", n)) != "" || pg.Form.Get(fmt.Sprintf("slot-%d-from", n)) != "" || pg.Form.Get(fmt.Sprintf("slot-%d-to", n)) != "" {
			add(n)
		}
	}
	for range blank {
		add(next)
	}
	return out
}

// slotsFromForm reads the availability lines sent, leaving out blank ones,
// and says which row each slot came from.
func slotsFromForm(f url.Values) ([]community.Slot, []int) {
	var slots []community.Slot
	var rows []int
	for _, n := range formRows(f, "slot") {
		name := fmt.Sprintf("slot-%d-", n)
		sl := community.Slot{Day: f.Get(name + "day"), From: strings.TrimSpace(f.Get(name + "from")), To: strings.TrimSpace(f.Get(name + "to"))}
		if sl == (community.Slot{}) {
			continue
		}
		slots = append(slots, sl)
		rows = append(rows, n)
	}
	return slots, rows
}

// slotsToForm puts held availability in a form's lines.
func slotsToForm(f url.Values, slots []community.Slot) {
	for i, sl := range slots {
		name := fmt.Sprintf("slot-%d-", i)
		f.Set(name+"day", sl.Day)
		f.Set(name+"from", sl.From)
		f.Set(name+"to", sl.To)
	}
}

var (
	indexedField = regexp.MustCompile(`^(\w+)\[(\d+)\](?:\.(\w+))?$`)
	isoDateWords = regexp.MustCompile(`as YYYY-MM-DD(, for example [0-9-]+)?`)
)

// renameVolunteerFields gives the rules' field names (availability[1].to,
// training[0].completed_on, dbs_checked_on) the ids of the form's boxes,
// and words dates as the boxes take them.
func renameVolunteerFields(err error, slotRowsOf, trainingRowsOf []int) error {
	err = renameFields(err, func(k string) string {
		switch k {
		case "dbs_checked_on":
			return "dbs_checked-day"
		case "dbs_expires_on":
			return "dbs_expires-day"
		}
		m := indexedField.FindStringSubmatch(k)
		if m == nil {
			return k
		}
		i, _ := strconv.Atoi(m[2])
		switch m[1] {
		case "availability":
			if i < len(slotRowsOf) && m[3] != "" {
				return fmt.Sprintf("slot-%d-%s", slotRowsOf[i], m[3])
			}
		case "training":
			if i < len(trainingRowsOf) {
				if m[3] == "completed_on" {
					return fmt.Sprintf("training-%d-completed-day", trainingRowsOf[i])
				}
				return fmt.Sprintf("training-%d-course", trainingRowsOf[i])
			}
		case "skills", "interests", "languages":
			return m[1]
		}
		return m[1]
	})
	if e, ok := err.(*oikos.Error); ok {
		for k, v := range e.Fields {
			e.Fields[k] = isoDateWords.ReplaceAllString(v, "as day, month and year, for example 1 9 2025")
		}
	}
	return err
}

// volunteerForm is the profile form's data: a manager adding a profile
// (Accounts to choose from) or editing one (Name).
type volunteerForm struct {
	page   *page
	Action string
	// Name is the volunteer's whose profile is edited; "" when adding.
	Name string
	// Accounts are the volunteer accounts without a profile, when adding.
	Accounts []option
	// Champions are the scheme's health champions, to coordinate.
	Champions []option
	Graduate  bool
}

// Kinds are the kinds of volunteer.
func (volunteerForm) Kinds() []option {
	out := make([]option, len(community.VolunteerKinds))
	for i, k := range community.VolunteerKinds {
		out[i] = option{Value: k, Label: community.VolunteerKindLabel(k)}
	}
	return out
}

// Slots are the availability lines, with two blank ones.
func (d volunteerForm) Slots() slotFieldset {
	return slotFieldset{Legend: "When they are free", Rows: slotRows(d.page, 2)}
}

// Training are the courses, with one blank line.
func (d volunteerForm) Training() []trainingRow {
	var out []trainingRow
	next := 0
	add := func(n int) {
		name := fmt.Sprintf("training-%d-", n)
		out = append(out, trainingRow{N: n, Course: d.page.Form.Get(name + "course"), CourseError: d.page.Errors[name+"course"],
			Completed: newDateField(d.page, name+"completed", "Date completed", "For example, 15 3 2025.")})
		next = max(next, n+1)
	}
	for _, n := range formRows(d.page.Form, "training") {
		if strings.TrimSpace(d.page.Form.Get(fmt.Sprintf("training-%d-course", n))) != "" || dateParts(d.page.Form, fmt.Sprintf("training-%d-completed", n)) != "" {
			add(n)
		}
	}
	add(next)
	return out
}

// DBSChecked and DBSExpires are the DBS dates.
func (d volunteerForm) DBSChecked() dateField {
	return newDateField(d.page, "dbs_checked", "Date of the DBS check", "For example, 1 9 2025. Leave blank if there is none yet.")
}

func (d volunteerForm) DBSExpires() dateField {
	return newDateField(d.page, "dbs_expires", "Date it must be renewed by", "For example, 1 9 2028. A volunteer is matched with nobody after this date.")
}

// dateToForm puts a YYYY-MM-DD date in a form's day, month and year boxes.
func dateToForm(f url.Values, name, day string) {
	parts := strings.Split(day, "-")
	if len(parts) != 3 {
		return
	}
	y, _ := strconv.Atoi(parts[0])
	m, _ := strconv.Atoi(parts[1])
	d, _ := strconv.Atoi(parts[2])
	f.Set(name+"-day", strconv.Itoa(d))
	f.Set(name+"-month", strconv.Itoa(m))
	f.Set(name+"-year", strconv.Itoa(y))
}

// listText joins a list for a box that takes it separated by commas, and
// splits it back.
func listText(list []string) string { return strings.Join(list, ", ") }

func textList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// volunteerFromForm reads the profile form, and which rows the lists came
// from.
func volunteerFromForm(f url.Values) (community.VolunteerInput, []int, []int) {
	slots, slotRowsOf := slotsFromForm(f)
	if slots == nil {
		slots = []community.Slot{}
	}
	phone, email := f.Get("phone"), f.Get("email")
	in := community.VolunteerInput{Kind: f.Get("kind"), Postcode: f.Get("postcode"), Skills: textList(f.Get("skills")),
		Interests: textList(f.Get("interests")), Languages: textList(f.Get("languages")), Availability: slots,
		CoordinatorID: f.Get("coordinator_id"), Phone: &phone, Email: &email, Training: []community.Training{}}
	if d := dateParts(f, "dbs_checked"); d != "" {
		in.DBSCheckedOn = &d
	}
	if d := dateParts(f, "dbs_expires"); d != "" {
		in.DBSExpiresOn = &d
	}
	var trainingRowsOf []int
	for _, n := range formRows(f, "training") {
		course := strings.TrimSpace(f.Get(fmt.Sprintf("training-%d-course", n)))
		done := dateParts(f, fmt.Sprintf("training-%d-completed", n))
		if course == "" && done == "" {
			continue
		}
		in.Training = append(in.Training, community.Training{Course: course, CompletedOn: done})
		trainingRowsOf = append(trainingRowsOf, n)
	}
	return in, slotRowsOf, trainingRowsOf
}

// volunteerToForm puts a held profile in the form.
func volunteerToForm(vo community.Volunteer) url.Values {
	f := url.Values{"kind": {vo.Kind}, "postcode": {vo.Postcode}, "phone": {vo.Phone}, "email": {vo.Email}, "skills": {listText(vo.Skills)},
		"interests": {listText(vo.Interests)}, "languages": {listText(vo.Languages)}}
	if vo.CoordinatorID != nil {
		f.Set("coordinator_id", *vo.CoordinatorID)
	}
	if vo.DBSCheckedOn != nil {
		dateToForm(f, "dbs_checked", *vo.DBSCheckedOn)
	}
	if vo.DBSExpiresOn != nil {
		dateToForm(f, "dbs_expires", *vo.DBSExpiresOn)
	}
	slotsToForm(f, vo.Availability)
	for i, t := range vo.Training {
		f.Set(fmt.Sprintf("training-%d-course", i), t.Course)
		dateToForm(f, fmt.Sprintf("training-%d-completed", i), t.CompletedOn)
	}
	return f
}

// newVolunteerForm fills the form's choices from the scheme's accounts.
func (s *Server) newVolunteerForm(r *http.Request, pg *page, userID, name string, graduate bool) error {
	accounts, err := s.vol.Accounts(r.Context(), httpx.Principal(r))
	if err != nil {
		return err
	}
	d := volunteerForm{page: pg, Name: name, Graduate: graduate, Champions: []option{{Value: "", Label: "Nobody yet"}}}
	if userID == "" {
		d.Action = "/volunteers/new"
		d.Accounts = []option{{Value: "", Label: "Choose their account"}}
	} else {
		d.Action = "/volunteers/" + userID
	}
	for _, a := range accounts {
		if a.Kind == community.KindHealthChampion && a.UserID != userID {
			d.Champions = append(d.Champions, option{Value: a.UserID, Label: a.Name, Selected: a.UserID == pg.Form.Get("coordinator_id")})
		}
		if userID == "" && a.Kind == "" {
			d.Accounts = append(d.Accounts, option{Value: a.UserID, Label: a.Name, Selected: a.UserID == pg.Form.Get("user_id")})
		}
	}
	if name == "" {
		pg.Title = "Add a volunteer"
	} else {
		pg.Title = name
	}
	pg.Data = d
	return nil
}

func (s *Server) volunteerNew(w http.ResponseWriter, r *http.Request) {
	pg := &page{Form: url.Values{"kind": {community.KindVolunteer}}}
	if err := s.newVolunteerForm(r, pg, "", "", false); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "volunteer_form", pg)
}

func (s *Server) volunteerEdit(w http.ResponseWriter, r *http.Request) {
	vo, err := s.vol.Volunteer(r.Context(), httpx.Actor(r), httpx.Principal(r), r.PathValue("user_id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &page{Form: volunteerToForm(vo), Notice: map[string]string{"saved": "The volunteer's profile is saved."}[r.URL.Query().Get("done")]}
	if err := s.newVolunteerForm(r, pg, vo.UserID, vo.Name, vo.Graduate); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "volunteer_form", pg)
}

func (s *Server) volunteerCreate(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	userID := strings.TrimSpace(r.PostForm.Get("user_id"))
	if userID == "" {
		s.volunteerFormError(w, r, "", oikos.Invalid(map[string]string{"user_id": "Choose the volunteer's account."}), nil, nil)
		return
	}
	s.saveVolunteer(w, r, userID, false)
}

func (s *Server) volunteerSave(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	s.saveVolunteer(w, r, r.PathValue("user_id"), true)
}

// saveVolunteer saves the profile form for userID (a profile edited, or
// one added), or shows the form again with its problems.
func (s *Server) saveVolunteer(w http.ResponseWriter, r *http.Request, userID string, edit bool) {
	in, slotRowsOf, trainingRowsOf := volunteerFromForm(r.PostForm)
	vo, err := s.vol.SaveVolunteer(r.Context(), httpx.Actor(r), httpx.Principal(r), userID, in)
	if err != nil {
		if oikos.ErrorCode(err) == oikos.ENOTFOUND && !edit {
			// The account chosen is not one the manager keeps: say so on
			// the form rather than answer "not found" for a choice.
			err = oikos.Invalid(map[string]string{"user_id": "Choose a volunteer account of your scheme."})
		}
		formUser := ""
		if edit {
			formUser = userID
		}
		s.volunteerFormError(w, r, formUser, err, slotRowsOf, trainingRowsOf)
		return
	}
	http.Redirect(w, r, "/volunteers/"+vo.UserID+"?done=saved", http.StatusSeeOther)
}

// volunteerFormError shows the profile form again with err's problems:
// for userID's profile, or a new one when userID is "".
func (s *Server) volunteerFormError(w http.ResponseWriter, r *http.Request, userID string, err error, slotRowsOf, trainingRowsOf []int) {
	if oikos.ErrorCode(err) == oikos.ENOTFOUND {
		s.pageError(w, r, err)
		return
	}
	name, graduate := "", false
	if userID != "" {
		vo, verr := s.vol.Volunteer(r.Context(), httpx.Actor(r), httpx.Principal(r), userID)
		if verr != nil {
			s.pageError(w, r, verr)
			return
		}
		name, graduate = vo.Name, vo.Graduate
	}
	err = renameVolunteerFields(err, slotRowsOf, trainingRowsOf)
	pg := &page{Form: r.PostForm}
	if ferr := s.newVolunteerForm(r, pg, userID, name, graduate); ferr != nil {
		s.pageError(w, r, ferr)
		return
	}
	s.formError(w, r, "volunteer_form", pg, err, "kind", "user_id", "kind", "postcode", "phone", "email", "skills", "interests", "languages",
		"dbs_checked-day", "dbs_expires-day", "coordinator_id")
}
