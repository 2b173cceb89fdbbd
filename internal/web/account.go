package web

import (
	"context"
	"net/http"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/web/httpx"
)

// The signed-in user's own account: their details, API tokens and
// sessions.

func (s *Server) accountPageData(ctx context.Context, p *auth.Principal) (accountPage, error) {
	u, err := s.auth.GetUser(ctx, p.UserID)
	if err != nil {
		return accountPage{}, err
	}
	tokens, err := s.auth.ListTokens(ctx, p.UserID)
	if err != nil {
		return accountPage{}, err
	}
	left, err := s.auth.RecoveryCodesLeft(ctx, p.UserID)
	if err != nil {
		return accountPage{}, err
	}
	sessions, err := s.auth.CountSessions(ctx, p.UserID)
	if err != nil {
		return accountPage{}, err
	}
	return accountPage{User: u, Organisation: s.orgName(ctx, u.OrganisationID), Tokens: tokens,
		RecoveryCodesLeft: left, Sessions: sessions}, nil
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	data, err := s.accountPageData(r.Context(), httpx.Principal(r))
	if err != nil {
		s.internalError(w, r)
		return
	}
	pg := &page{Title: "Your account", Data: data}
	if r.URL.Query().Get("done") == "revoked" {
		pg.Notice = "The token has been revoked. It no longer works."
	}
	s.render(w, r, http.StatusOK, "account", pg)
}

func (s *Server) createOwnToken(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	if !parseForm(w, r) {
		return
	}
	secret, _, err := s.auth.CreateToken(r.Context(), httpx.Actor(r), p.UserID, r.PostForm.Get("label"))
	data, derr := s.accountPageData(r.Context(), p)
	if derr != nil {
		s.internalError(w, r)
		return
	}
	if err != nil {
		s.formError(w, r, "account", &page{Title: "Your account", Data: data}, err, "label")
		return
	}
	data.NewToken = secret
	s.render(w, r, http.StatusCreated, "account", &page{Title: "Your account", Data: data, Notice: "Your new API token has been created."})
}

func (s *Server) revokeOwnToken(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	t, err := s.auth.GetToken(r.Context(), r.PathValue("id"))
	if err != nil || t.UserID != p.UserID {
		s.notFound(w, r)
		return
	}
	if err := s.auth.RevokeToken(r.Context(), httpx.Actor(r), t.ID); err != nil && oikos.ErrorCode(err) != oikos.ENOTFOUND {
		s.internalError(w, r)
		return
	}
	http.Redirect(w, r, "/account?done=revoked", http.StatusSeeOther)
}

func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	if _, err := s.auth.RevokeSessions(r.Context(), httpx.Actor(r), p.UserID); err != nil {
		s.internalError(w, r)
		return
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/sign-in?signed_out=1", http.StatusSeeOther)
}
