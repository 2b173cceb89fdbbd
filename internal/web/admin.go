package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"oikos/internal/auth"
	"oikos/internal/org"
	"oikos/internal/web/httpx"
)

func kindOptions() []option {
	out := make([]option, len(org.Kinds))
	for i, k := range org.Kinds {
		out[i] = option{Value: string(k), Label: k.Label()}
	}
	return out
}

var adminNotices = map[string]string{
	"created":     "The organisation has been added.",
	"saved":       "Your changes have been saved.",
	"deactivated": "It has been deactivated.",
	"reactivated": "It has been reactivated.",
	"signed-out":  "They have been signed out everywhere.",
	"reset":       "Two-factor sign-in has been reset. They will set it up again when they next sign in.",
}

func (s *Server) adminOrgs(w http.ResponseWriter, r *http.Request) {
	items, total, err := s.orgs.List(r.Context(), org.ListOptions{After: r.URL.Query().Get("after"), Limit: 100})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	next := ""
	if len(items) == 100 {
		next = url.QueryEscape(org.Cursor(items[len(items)-1]))
	}
	s.render(w, r, http.StatusOK, "orgs", &page{Title: "Organisations", Data: orgsPage{Items: items, Total: total, Next: next}})
}

func (s *Server) adminNewOrg(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "org_form", &page{Title: "Add an organisation",
		Data: orgFormPage{Kinds: kindOptions(), Action: "/admin/organisations"}})
}

func (s *Server) adminCreateOrg(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	o, err := s.orgs.Create(r.Context(), httpx.Actor(r), orgInput(r.PostForm))
	if err != nil {
		s.formError(w, r, "org_form", &page{Title: "Add an organisation",
			Data: orgFormPage{Kinds: kindOptions(), Action: "/admin/organisations"}}, err, "name", "name", "kind", "areas", "phone")
		return
	}
	http.Redirect(w, r, "/admin/organisations/"+o.ID+"?done=created", http.StatusSeeOther)
}

// orgInput reads the organisation form; areas are typed as a list
// separated by spaces or commas.
func orgInput(form url.Values) org.Input {
	areas := strings.FieldsFunc(form.Get("areas"), func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
	if areas == nil {
		areas = []string{}
	}
	phone := form.Get("phone")
	return org.Input{Name: form.Get("name"), Kind: org.Kind(form.Get("kind")), Areas: areas, Phone: &phone}
}

func (s *Server) orgFormPage(o org.Organisation) *page {
	return &page{Title: o.Name, Form: url.Values{"name": {o.Name}, "kind": {string(o.Kind)}, "areas": {strings.Join(o.Areas, " ")}, "phone": {o.Phone}},
		Data: orgFormPage{Kinds: kindOptions(), Action: "/admin/organisations/" + o.ID, Org: &o}}
}

func (s *Server) adminOrg(w http.ResponseWriter, r *http.Request) {
	o, err := s.orgs.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := s.orgFormPage(o)
	pg.Notice = adminNotices[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "org_form", pg)
}

func (s *Server) adminUpdateOrg(w http.ResponseWriter, r *http.Request) {
	o, err := s.orgs.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !parseForm(w, r) {
		return
	}
	_, err = s.orgs.Update(r.Context(), httpx.Actor(r), o.ID, orgInput(r.PostForm))
	if err != nil {
		pg := s.orgFormPage(o)
		pg.Form = r.PostForm
		s.formError(w, r, "org_form", pg, err, "name", "name", "kind", "areas", "phone")
		return
	}
	http.Redirect(w, r, "/admin/organisations/"+o.ID+"?done=saved", http.StatusSeeOther)
}

func (s *Server) setOrgActive(w http.ResponseWriter, r *http.Request, active bool) {
	id := r.PathValue("id")
	if err := s.orgs.SetActive(r.Context(), httpx.Actor(r), id, active); err != nil {
		s.pageError(w, r, err)
		return
	}
	done := "deactivated"
	if active {
		done = "reactivated"
	}
	http.Redirect(w, r, "/admin/organisations/"+id+"?done="+done, http.StatusSeeOther)
}

func (s *Server) orgNames(ctx context.Context) (map[string]string, []option, error) {
	all, _, err := s.orgs.List(ctx, org.ListOptions{Limit: 1000})
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{"": ""}
	opts := []option{{Value: "", Label: "None"}}
	for _, o := range all {
		names[o.ID] = o.Name
		if o.Active {
			opts = append(opts, option{Value: o.ID, Label: o.Name})
		}
	}
	return names, opts, nil
}

func roleOptions() []option {
	out := []option{{Value: "", Label: "Choose a role"}}
	for _, r := range auth.Roles {
		out = append(out, option{Value: string(r), Label: r.Label()})
	}
	return out
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) {
	items, total, err := s.auth.ListUsers(r.Context(), auth.UserFilter{After: r.URL.Query().Get("after"), Limit: 100})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	names, _, err := s.orgNames(r.Context())
	if err != nil {
		s.internalError(w, r)
		return
	}
	next := ""
	if len(items) == 100 {
		next = url.QueryEscape(items[len(items)-1].Email)
	}
	s.render(w, r, http.StatusOK, "users", &page{Title: "Users", Data: usersPage{Items: items, Total: total, Next: next, OrgNames: names}})
}

func (s *Server) userFormData(ctx context.Context, action string) (userFormPage, error) {
	_, opts, err := s.orgNames(ctx)
	if err != nil {
		return userFormPage{}, err
	}
	return userFormPage{Roles: roleOptions(), Orgs: opts, Action: action}, nil
}

func (s *Server) adminNewUser(w http.ResponseWriter, r *http.Request) {
	data, err := s.userFormData(r.Context(), "/admin/users")
	if err != nil {
		s.internalError(w, r)
		return
	}
	s.render(w, r, http.StatusOK, "user_form", &page{Title: "Add a user", Data: data})
}

func userInputFromForm(f url.Values) auth.UserInput {
	return auth.UserInput{Email: f.Get("email"), Name: f.Get("name"), Role: auth.Role(f.Get("role")), OrganisationID: f.Get("organisation_id")}
}

func (s *Server) setupURL(r *http.Request, token string) string {
	scheme := "http"
	if r.TLS != nil || s.cfg.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/setup/" + token
}

func (s *Server) adminCreateUser(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	data, err := s.userFormData(r.Context(), "/admin/users")
	if err != nil {
		s.internalError(w, r)
		return
	}
	u, err := s.auth.CreateUser(r.Context(), httpx.Actor(r), userInputFromForm(r.PostForm), "")
	if err != nil {
		s.formError(w, r, "user_form", &page{Title: "Add a user", Data: data}, err, "email", "name", "email", "role", "organisation_id")
		return
	}
	s.showUserWithSetupLink(w, r, u, "The user has been added.")
}

func (s *Server) showUserWithSetupLink(w http.ResponseWriter, r *http.Request, u auth.User, notice string) {
	token, err := s.auth.CreateSetupLink(r.Context(), httpx.Actor(r), u.ID)
	if err != nil {
		s.internalError(w, r)
		return
	}
	pg, err := s.userPage(r.Context(), u)
	if err != nil {
		s.internalError(w, r)
		return
	}
	pg.Notice = notice
	data := pg.Data.(userFormPage)
	data.SetupLink = s.setupURL(r, token)
	pg.Data = data
	s.render(w, r, http.StatusOK, "user_form", pg)
}

func (s *Server) userPage(ctx context.Context, u auth.User) (*page, error) {
	data, err := s.userFormData(ctx, "/admin/users/"+u.ID)
	if err != nil {
		return nil, err
	}
	data.User = &u
	return &page{Title: u.Name, Data: data,
		Form: url.Values{"name": {u.Name}, "email": {u.Email}, "role": {string(u.Role)}, "organisation_id": {u.OrganisationID}}}, nil
}

func (s *Server) adminUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.auth.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg, err := s.userPage(r.Context(), u)
	if err != nil {
		s.internalError(w, r)
		return
	}
	pg.Notice = adminNotices[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "user_form", pg)
}

func (s *Server) adminUpdateUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.auth.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !parseForm(w, r) {
		return
	}
	if _, err := s.auth.UpdateUser(r.Context(), httpx.Actor(r), u.ID, userInputFromForm(r.PostForm)); err != nil {
		pg, perr := s.userPage(r.Context(), u)
		if perr != nil {
			s.internalError(w, r)
			return
		}
		pg.Form = r.PostForm
		s.formError(w, r, "user_form", pg, err, "name", "name", "email", "role", "organisation_id")
		return
	}
	http.Redirect(w, r, "/admin/users/"+u.ID+"?done=saved", http.StatusSeeOther)
}

// adminUserAction runs one of the account actions on a user's page.
func (s *Server) userAction(w http.ResponseWriter, r *http.Request, action func(ctx context.Context, by auth.Actor, id string) error, done string) {
	id := r.PathValue("id")
	if err := action(r.Context(), httpx.Actor(r), id); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+id+"?done="+done, http.StatusSeeOther)
}

func (s *Server) adminNewSetupLink(w http.ResponseWriter, r *http.Request) {
	u, err := s.auth.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.showUserWithSetupLink(w, r, u, "A new set-up link has been made.")
}

func (s *Server) adminDeactivateOrg(w http.ResponseWriter, r *http.Request) {
	s.setOrgActive(w, r, false)
}

func (s *Server) adminReactivateOrg(w http.ResponseWriter, r *http.Request) {
	s.setOrgActive(w, r, true)
}

func (s *Server) adminDeactivateUser(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, func(ctx context.Context, by auth.Actor, id string) error { return s.auth.SetActive(ctx, by, id, false) }, "deactivated")
}

func (s *Server) adminReactivateUser(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, func(ctx context.Context, by auth.Actor, id string) error { return s.auth.SetActive(ctx, by, id, true) }, "reactivated")
}

func (s *Server) adminResetTwoFactor(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, s.auth.ResetTwoFactor, "reset")
}

func (s *Server) adminSignOutUser(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, func(ctx context.Context, by auth.Actor, id string) error {
		_, err := s.auth.RevokeSessions(ctx, by, id)
		return err
	}, "signed-out")
}
