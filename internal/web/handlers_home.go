package web

import (
	"context"
	"net/http"
	"time"

	"oikos"
	"oikos/internal/auth"
)

type card struct {
	Title, Text, Href string
}

// homeCards is what each role's home page offers. Work that later parts of
// Oikos will bring appears as an empty state saying what will be there.
func homeCards(role auth.Role) []card {
	switch role {
	case auth.Admin:
		return []card{
			{"Organisations", "Add and edit the GP practices, councils, community groups and schemes that use Oikos.", "/admin/organisations"},
			{"Users", "Invite staff and volunteers, set their roles, and deactivate accounts.", "/admin/users"},
			{"Your account", "Your two-factor sign-in, recovery codes and API tokens.", "/account"},
		}
	case auth.Manager:
		return []card{
			{"Referrals in your scheme", "New referrals waiting for triage, oldest first, with urgent ones flagged.", "/referrals"},
			{"Your team", "Each link worker's caseload, with every person's next action, so you can balance work.", "/caseload"},
			{"Reports", "Counts of referrals, connections and outcomes for your scheme, with charts and CSV downloads.", "/reports"},
		}
	case auth.LinkWorker:
		return []card{
			{"Your caseload", "The people you are working with, with what is due next for each.", "/caseload"},
			{"Triage queue", "New referrals to your scheme waiting for someone to pick them up, oldest first.", "/referrals"},
			{"Community directory", "Local groups, activities and services to connect people with.", "/directory"},
		}
	case auth.Referrer:
		return []card{
			{"Your referrals", "The referrals you have made and how each is going.", "/referrals/sent"},
			{"Make a referral", "Refer someone for social prescribing: it takes a couple of minutes.", "/referrals/new"},
		}
	case auth.Provider:
		return []card{
			{"People referred to your services", "People connected to your organisation's services will appear here, for you to accept and record attendance.", ""},
			{"Your services", "Your organisation's entries in the community directory, to keep up to date.", "/directory/manage"},
		}
	case auth.Volunteer:
		return []card{
			{"People you support", "The people you are matched with will appear here, with what their link worker has shared.", ""},
		}
	case auth.Commissioner:
		return []card{
			{"Reports", "Referrals, connections and outcomes across the area, with charts and CSV downloads. Small numbers are hidden to protect people's privacy.", "/reports"},
		}
	}
	return nil
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if p == nil {
		s.render(w, r, http.StatusOK, "home_public", &page{Title: "Home"})
		return
	}
	s.render(w, r, http.StatusOK, "home", &page{Title: "Home", Data: homePage{
		Cards: homeCards(p.Role), Organisation: s.orgName(r.Context(), p.OrganisationID),
	}})
}

func (s *Server) orgName(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	o, err := s.orgs.Get(ctx, id)
	if err != nil {
		return ""
	}
	return o.Name
}

func (s *Server) staticPage(title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "about", &page{Title: title})
	}
}

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
	data, err := s.accountPageData(r.Context(), principal(r))
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
	p := principal(r)
	if !parseForm(w, r) {
		return
	}
	secret, _, err := s.auth.CreateToken(r.Context(), actorOf(r), p.UserID, r.PostForm.Get("label"))
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
	p := principal(r)
	t, err := s.auth.GetToken(r.Context(), r.PathValue("id"))
	if err != nil || t.UserID != p.UserID {
		s.notFound(w, r)
		return
	}
	if err := s.auth.RevokeToken(r.Context(), actorOf(r), t.ID); err != nil && oikos.ErrorCode(err) != oikos.ENOTFOUND {
		s.internalError(w, r)
		return
	}
	http.Redirect(w, r, "/account?done=revoked", http.StatusSeeOther)
}

func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if _, err := s.auth.RevokeSessions(r.Context(), actorOf(r), p.UserID); err != nil {
		s.internalError(w, r)
		return
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/sign-in?signed_out=1", http.StatusSeeOther)
}

// actorOf is the caller as the audit log records them.
func actorOf(r *http.Request) oikos.Actor {
	a := oikos.Actor{UserID: "anonymous", Client: clientAddress(r)}
	if p := principal(r); p != nil {
		a.UserID = p.UserID
	}
	return a
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("readiness check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database not answering\n"))
		return
	}
	w.Write([]byte("ready\n"))
}
