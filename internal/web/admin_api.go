package web

import (
	"net/http"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/org"
	"oikos/internal/web/httpx"
)

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	u, err := s.auth.GetUser(r.Context(), httpx.Principal(r).UserID)
	s.reply(w, r, http.StatusOK, u, err)
}

func (s *Server) apiListOrgs(w http.ResponseWriter, r *http.Request) {
	after, limit, err := httpx.PageParams(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	items, total, err := s.orgs.List(r.Context(), org.ListOptions{After: after, Limit: limit})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	next := ""
	if len(items) == limit {
		next = org.Cursor(items[len(items)-1])
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, next))
}

func (s *Server) apiCreateOrg(w http.ResponseWriter, r *http.Request) {
	var in org.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	o, err := s.orgs.Create(r.Context(), httpx.Actor(r), in)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/organisations/"+o.ID)
	httpx.WriteJSON(w, http.StatusCreated, o)
}

func (s *Server) apiGetOrg(w http.ResponseWriter, r *http.Request) {
	o, err := s.orgs.Get(r.Context(), r.PathValue("id"))
	if err == nil && !auth.Can(httpx.Principal(r), auth.ReadAction, auth.Object{Kind: "organisation", ID: o.ID}) {
		err = oikos.NotFound("Organisation")
	}
	s.reply(w, r, http.StatusOK, o, err)
}

func (s *Server) apiUpdateOrg(w http.ResponseWriter, r *http.Request) {
	var in org.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	o, err := s.orgs.Update(r.Context(), httpx.Actor(r), r.PathValue("id"), in)
	s.reply(w, r, http.StatusOK, o, err)
}

func (s *Server) apiListUsers(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	after, limit, err := httpx.PageParams(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	f := auth.UserFilter{After: after, Limit: limit, OrganisationID: r.URL.Query().Get("organisation_id")}
	if !auth.SeesEveryUser(p) {
		// Managers see their own organisation's users only.
		f.OrganisationID = p.OrganisationID
	}
	items, total, err := s.auth.ListUsers(r.Context(), f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	next := ""
	if len(items) == limit {
		next = items[len(items)-1].Email
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, next))
}

type createdUser struct {
	auth.User
	SetupURL string `json:"setup_url"`
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) {
	var in auth.UserInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	u, err := s.auth.CreateUser(r.Context(), httpx.Actor(r), in, "")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	token, err := s.auth.CreateSetupLink(r.Context(), httpx.Actor(r), u.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ID)
	httpx.WriteJSON(w, http.StatusCreated, createdUser{User: u, SetupURL: s.setupURL(r, token)})
}

// visibleUser loads a user the caller may act on, or answers not found.
func (s *Server) visibleUser(r *http.Request, act auth.Action) (auth.User, error) {
	u, err := s.auth.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		return u, err
	}
	if !auth.Can(httpx.Principal(r), act, u.Object()) {
		return auth.User{}, oikos.NotFound("User")
	}
	return u, nil
}

func (s *Server) apiGetUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.visibleUser(r, auth.ReadAction)
	s.reply(w, r, http.StatusOK, u, err)
}

func (s *Server) apiUpdateUser(w http.ResponseWriter, r *http.Request) {
	var in auth.UserInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	if _, err := s.visibleUser(r, auth.ChangeAction); err != nil {
		s.apiError(w, r, err)
		return
	}
	u, err := s.auth.UpdateUser(r.Context(), httpx.Actor(r), r.PathValue("id"), in)
	s.reply(w, r, http.StatusOK, u, err)
}

func (s *Server) apiDeactivateUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.visibleUser(r, auth.ChangeAction)
	if err == nil {
		err = s.auth.SetActive(r.Context(), httpx.Actor(r), u.ID, false)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type tokenRequest struct {
	Label string `json:"label"`
}

type tokenResponse struct {
	Secret string `json:"token"`
	auth.Token
}

// apiCreateToken makes a token for a user: an administrator for anyone,
// anyone else for themselves only.
func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) {
	var in tokenRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	p := httpx.Principal(r)
	id := r.PathValue("id")
	if !auth.MayKeepTokensOf(p, id) {
		s.apiError(w, r, oikos.NotFound("User"))
		return
	}
	secret, t, err := s.auth.CreateToken(r.Context(), httpx.Actor(r), id, in.Label)
	s.reply(w, r, http.StatusCreated, tokenResponse{Secret: secret, Token: t}, err)
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	t, err := s.auth.GetToken(r.Context(), r.PathValue("id"))
	if err == nil && !auth.MayKeepTokensOf(p, t.UserID) {
		err = oikos.NotFound("Token")
	}
	if err == nil {
		err = s.auth.RevokeToken(r.Context(), httpx.Actor(r), t.ID)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
