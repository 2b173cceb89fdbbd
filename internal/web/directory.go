package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/directory"
	"oikos/internal/taxonomy"
	"oikos/internal/web/httpx"
)

// ---- JSON API ----

func (s *Server) apiCategories(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": taxonomy.Categories, "total": len(taxonomy.Categories), "next": nil})
}

func (s *Server) apiNeeds(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": taxonomy.Needs, "total": len(taxonomy.Needs), "next": nil})
}

// maxQueryString bounds what a search may send: anything longer is not a
// search a person typed.
const maxQueryString = 8 << 10

func (s *Server) apiSearchServices(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.RawQuery) > maxQueryString {
		s.apiError(w, r, &oikos.Error{Code: oikos.EMALFORMED, Message: "The query string is too long."})
		return
	}
	q, err := directory.ParseQuery(r.URL.Query(), 50)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	res, err := s.dir.Search(r.Context(), q)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	next := ""
	if res.Next >= 0 {
		next = directory.EncodeCursor(res.Next)
	}
	body := struct {
		Items     []directory.Hit `json:"items"`
		Total     int             `json:"total"`
		Next      *string         `json:"next"`
		Corrected *string         `json:"corrected_query,omitempty"`
	}{Items: res.Items, Total: res.Total}
	if next != "" {
		body.Next = &next
	}
	if res.Corrected != "" {
		body.Corrected = &res.Corrected
	}
	httpx.WriteJSON(w, http.StatusOK, body)
}

// canSeeService: closed services stay visible to the people who keep them.
func canSeeService(p *auth.Principal, v directory.Service) bool {
	return v.Status == "active" || auth.Can(p, auth.ChangeAction, serviceObject(v))
}

func serviceObject(v directory.Service) auth.Object {
	return auth.Object{Kind: "service", ID: v.ID, OrganisationID: v.OrganisationID}
}

func (s *Server) apiGetService(w http.ResponseWriter, r *http.Request) {
	v, err := s.dir.Get(r.Context(), r.PathValue("id"))
	if err == nil && !canSeeService(httpx.Principal(r), v) {
		err = oikos.NotFound("Service")
	}
	s.reply(w, r, http.StatusOK, v, err)
}

// mayEditFor reports whether the caller may keep services for an organisation.
func mayEditFor(p *auth.Principal, organisationID string) bool {
	return auth.Can(p, auth.ChangeAction, auth.Object{Kind: "service", OrganisationID: organisationID})
}

func (s *Server) apiCreateService(w http.ResponseWriter, r *http.Request) {
	var in directory.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	p := httpx.Principal(r)
	if own := auth.OwnOrganisationOnly(p); own != "" && in.OrganisationID == "" {
		in.OrganisationID = own
	}
	if in.OrganisationID != "" && !mayEditFor(p, in.OrganisationID) {
		s.apiError(w, r, oikos.Invalid(map[string]string{"organisation_id": "You may add services only for your own organisation."}))
		return
	}
	v, err := s.dir.Create(r.Context(), httpx.Actor(r), in)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/services/"+v.ID)
	httpx.WriteJSON(w, http.StatusCreated, v)
}

// editableService loads a service the caller may change, or not-found.
func (s *Server) editableService(r *http.Request) (directory.Service, error) {
	v, err := s.dir.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return v, err
	}
	if !auth.Can(httpx.Principal(r), auth.ChangeAction, serviceObject(v)) {
		return directory.Service{}, oikos.NotFound("Service")
	}
	return v, nil
}

func (s *Server) apiUpdateService(w http.ResponseWriter, r *http.Request) {
	var in directory.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	old, err := s.editableService(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if in.OrganisationID == "" {
		in.OrganisationID = old.OrganisationID
	}
	if !mayEditFor(httpx.Principal(r), in.OrganisationID) {
		s.apiError(w, r, oikos.Invalid(map[string]string{"organisation_id": "You may not move a service to another organisation."}))
		return
	}
	v, err := s.dir.Update(r.Context(), httpx.Actor(r), old.ID, in)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) apiCloseService(w http.ResponseWriter, r *http.Request) {
	v, err := s.editableService(r)
	if err == nil {
		err = s.dir.SetStatus(r.Context(), httpx.Actor(r), v.ID, "closed")
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiCheckService(w http.ResponseWriter, r *http.Request) {
	v, err := s.editableService(r)
	if err == nil {
		err = s.dir.MarkChecked(r.Context(), httpx.Actor(r), v.ID)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---- Public pages ----

type searchPage struct {
	Query      directory.Query
	Results    directory.Results
	Searched   bool
	Categories []option
	Days       []option
	Radii      []option
	NextURL    string
	PrevURL    string
	From, To   int
}

func dayOptions(selected int) []option {
	out := []option{{Value: "", Label: "Any day"}}
	for i := range directory.Days {
		out = append(out, option{Value: directory.Days[i], Label: directory.DayLabel(i + 1), Selected: selected == i+1})
	}
	return out
}

func radiusOptions(km float64) []option {
	out := []option{}
	for _, r := range []float64{1, 2, 5, 10, 20, 50} {
		out = append(out, option{Value: strconv.FormatFloat(r, 'f', -1, 64), Label: fmt.Sprintf("Within %g km", r), Selected: km == r})
	}
	return out
}

func (s *Server) directoryPage(w http.ResponseWriter, r *http.Request) {
	values := r.URL.Query()
	pg := &page{Title: "Find local support", Form: url.Values{}}
	data := &searchPage{Radii: radiusOptions(directory.DefaultRadiusKm), Days: dayOptions(0)}
	for _, c := range taxonomy.Categories {
		data.Categories = append(data.Categories, option{Value: c.Code, Label: c.Label})
	}
	pg.Data = data
	if len(r.URL.RawQuery) > maxQueryString {
		s.renderError(w, r, http.StatusBadRequest, "That search is too long", "Go back and try a shorter search.")
		return
	}
	if len(values) == 0 {
		// The distance box starts at the default, not at its first choice.
		pg.Form.Set("within_km", strconv.FormatFloat(directory.DefaultRadiusKm, 'f', -1, 64))
		s.render(w, r, http.StatusOK, "directory", pg)
		return
	}
	// The page's radius box sends "within_km" even with no place; ignore it then.
	if strings.TrimSpace(values.Get("near")) == "" {
		values.Del("within_km")
	}
	pg.Form = values
	q, err := directory.ParseQuery(values, 20)
	if q.Near != "" && values.Get("within_km") == "" {
		// A place without a distance (a link, the API's form of the
		// search) is searched within the default: show it chosen.
		pg.Form = cloneValues(values)
		pg.Form.Set("within_km", strconv.FormatFloat(q.WithinKm, 'f', -1, 64))
	}
	if err != nil {
		s.formError(w, r, "directory", pg, searchErrorWords(err), "q", "q", "near", "within_km", "category", "day", "free")
		return
	}
	data.Query, data.Searched = q, true
	data.Radii, data.Days = radiusOptions(q.WithinKm), dayOptions(q.Day)
	for i := range data.Categories {
		for _, c := range q.Categories {
			if data.Categories[i].Value == c {
				data.Categories[i].Selected = true
			}
		}
	}
	res, err := s.dir.Search(r.Context(), q)
	if oikos.ErrorCode(err) == oikos.EINVALID {
		s.formError(w, r, "directory", pg, searchErrorWords(err), "near", "near", "within_km")
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data.Results = res
	data.From, data.To = q.Offset+1, q.Offset+len(res.Items)
	if res.Next >= 0 {
		next := cloneValues(values)
		next.Set("cursor", directory.EncodeCursor(res.Next))
		data.NextURL = "/directory?" + next.Encode()
	}
	if q.Offset > 0 {
		prev := cloneValues(values)
		prev.Set("cursor", directory.EncodeCursor(max(0, q.Offset-q.Limit)))
		data.PrevURL = "/directory?" + prev.Encode()
	}
	s.render(w, r, http.StatusOK, "directory", pg)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

type servicePage struct {
	Service    directory.Service
	Categories []string
	Cost       string
	Places     string
	CanEdit    bool
	Stale      bool
	// Sessions are a course's next dated sessions, in words.
	Sessions []string
}

// costText says what a service costs in words.
func costText(v directory.Service) string {
	switch {
	case v.CostPence == nil:
		if v.FeesNote != "" {
			return v.FeesNote
		}
		return "Ask the organisers"
	case *v.CostPence == 0:
		return "Free"
	}
	pounds := float64(*v.CostPence) / 100
	text := fmt.Sprintf("£%.2f", pounds)
	if math.Mod(pounds, 1) == 0 {
		text = fmt.Sprintf("£%.0f", pounds)
	}
	if v.FeesNote != "" {
		text += ". " + v.FeesNote
	}
	return text
}

func (s *Server) servicePage(w http.ResponseWriter, r *http.Request) {
	v, err := s.dir.Get(r.Context(), r.PathValue("id"))
	if err == nil && !canSeeService(httpx.Principal(r), v) {
		err = oikos.NotFound("Service")
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data := servicePage{Service: v, Cost: costText(v), CanEdit: auth.Can(httpx.Principal(r), auth.ChangeAction, serviceObject(v)),
		Stale: v.Stale(time.Now())}
	for _, sess := range v.NextSessions(time.Now(), 5) {
		data.Sessions = append(data.Sessions, sessionText(sess.Starts, sess.Ends))
	}
	for _, c := range v.Categories {
		if cat, ok := taxonomy.CategoryByCode(c); ok {
			data.Categories = append(data.Categories, cat.Label)
		}
	}
	switch {
	case v.Capacity == nil:
	case *v.Capacity == 0:
		data.Places = "Full at the moment: ask about the waiting list"
	case *v.Capacity == 1:
		data.Places = "1 place free"
	default:
		data.Places = fmt.Sprintf("%d places free", *v.Capacity)
	}
	notice := map[string]string{"saved": "Your changes have been saved.", "checked": "Thank you: the service is marked as checked today.",
		"closed": "The service is marked as closed. It no longer appears in searches.", "reopened": "The service is open again and appears in searches."}
	s.render(w, r, http.StatusOK, "service", &page{Title: v.Name, Data: data, Notice: notice[r.URL.Query().Get("done")]})
}

// sessionText writes a course's session as people read it: "Monday 2
// March 2026, 6:30pm to 8pm" (UK time).
func sessionText(starts, ends time.Time) string {
	loc := londonTime
	if loc == nil {
		loc = time.UTC
	}
	clock := func(t time.Time) string {
		if t.Minute() == 0 {
			return t.Format("3pm")
		}
		return t.Format("3:04pm")
	}
	starts, ends = starts.In(loc), ends.In(loc)
	return starts.Format("Monday 2 January 2006") + ", " + clock(starts) + " to " + clock(ends)
}

// searchErrorWords says a search's problems as sentences for the page:
// the API's words name a parameter ("near must be a UK postcode ..."),
// which beside a box reads as a sentence with no subject.
func searchErrorWords(err error) error {
	var e *oikos.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	subjects := map[string]string{"q": "What you are looking for", "within_km": "The distance", "category": "The type of support",
		"need": "The need", "day": "The day", "free": "Free", "limit": "The number of results", "cursor": "The page of results"}
	fields := map[string]string{}
	for k, v := range e.Fields {
		switch {
		case k == "near" && strings.HasPrefix(v, "must be"):
			v = "Enter a UK postcode, like EX4 3SR, or the first part of one, like EX4."
		case k == "near" && strings.Contains(v, "district"):
			v = "We do not know that postcode area. Check the postcode, like EX4 3SR."
		case k == "near":
			v = "We cannot find that postcode. Check it, or enter the first part, like EX4."
		case k == "within_km" && strings.Contains(v, "needs a place"):
			v = "Enter a postcode to search within a distance of it."
		case subjects[k] != "":
			v = subjects[k] + " " + v + "."
		}
		fields[k] = v
	}
	return &oikos.Error{Code: e.Code, Message: e.Message, Fields: fields}
}
