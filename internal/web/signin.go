package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"rsc.io/qr"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/web/httpx"
)

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	if httpx.Principal(r) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	pg := &page{Title: "Sign in", Form: url.Values{"next": {r.URL.Query().Get("next")}}}
	if r.URL.Query().Get("signed_out") != "" {
		pg.Notice = "You have signed out."
	}
	s.render(w, r, http.StatusOK, "sign_in", pg)
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		s.renderError(w, r, http.StatusBadRequest, "The form could not be read", "Go back and try again.")
		return
	}
	client := httpx.ClientAddress(r)
	pg := &page{Title: "Sign in", Form: url.Values{"email": {r.PostForm.Get("email")}, "next": {r.PostForm.Get("next")}}}
	if !s.signIns.allow(httpx.ClientGroup(r), time.Now()) {
		s.formError(w, r, "sign_in", pg, &oikos.Error{Code: oikos.ERATELIMITED, Message: "Too many attempts from your network. Wait a minute and try again."}, "email")
		return
	}
	email, password := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("password")
	missing := map[string]string{}
	if email == "" {
		missing["email"] = "Enter your email address."
	}
	if password == "" {
		missing["password"] = "Enter your password."
	}
	if err := oikos.Invalid(missing); err != nil {
		s.formError(w, r, "sign_in", pg, err, "email", "email", "password")
		return
	}
	u, err := s.auth.CheckPassword(r.Context(), email, password, client)
	if err != nil {
		s.formError(w, r, "sign_in", pg, err, "email")
		return
	}
	stage, dest := auth.StageSecondFactor, "/sign-in/code"
	if !u.TwoFactor {
		stage, dest = auth.StageEnrol, "/sign-in/two-factor"
	}
	if old, ok := partialSession(r); ok {
		s.auth.EndSession(r.Context(), old.TokenHash)
	}
	token, err := s.auth.StartSession(r.Context(), u.ID, stage, client)
	if err != nil {
		s.internalError(w, r)
		return
	}
	s.setSessionCookie(w, token)
	if next := r.PostForm.Get("next"); next != "" {
		dest += "?next=" + url.QueryEscape(safeNext(next))
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// partialFor returns the session at the given sign-in stage, or sends the
// browser back to the start.
func (s *Server) partialFor(w http.ResponseWriter, r *http.Request, stage string) (auth.Session, bool) {
	if httpx.Principal(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return auth.Session{}, false
	}
	sess, ok := partialSession(r)
	if !ok || sess.Stage != stage {
		http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
		return auth.Session{}, false
	}
	return sess, true
}

func (s *Server) codePage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.partialFor(w, r, auth.StageSecondFactor); !ok {
		return
	}
	s.render(w, r, http.StatusOK, "sign_in_code", &page{Title: "Enter your security code", Form: url.Values{"next": {r.URL.Query().Get("next")}}})
}

func (s *Server) code(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.partialFor(w, r, auth.StageSecondFactor)
	if !ok || !parseForm(w, r) {
		return
	}
	pg := &page{Title: "Enter your security code", Form: url.Values{"next": {r.PostForm.Get("next")}}}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if code == "" {
		s.formError(w, r, "sign_in_code", pg, oikos.Invalid(map[string]string{"code": "Enter the 6-digit code from your authenticator app."}), "code")
		return
	}
	if err := s.auth.CheckSecondFactor(r.Context(), sess.UserID, code, httpx.ClientAddress(r)); err != nil {
		s.formError(w, r, "sign_in_code", pg, err, "code")
		return
	}
	if err := s.finishSignIn(w, r, sess); err != nil {
		s.internalError(w, r)
		return
	}
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

// finishSignIn swaps the partial session for a full one, with a new secret.
func (s *Server) finishSignIn(w http.ResponseWriter, r *http.Request, sess auth.Session) error {
	token, err := s.auth.FinishSignIn(r.Context(), sess, httpx.ClientAddress(r))
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	return nil
}

// qrSVG draws a QR code as an inline SVG, so enrolment needs no image
// service and no script.
func qrSVG(text string) (template.HTML, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", err
	}
	const quiet = 4
	n := code.Size + 2*quiet
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg class="oikos-qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="qr-title" shape-rendering="crispEdges"><title id="qr-title">QR code to scan with your authenticator app</title><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y := 0; y < code.Size; y++ {
		for x := 0; x < code.Size; x++ {
			if code.Black(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}

type enrolData struct {
	QR     template.HTML
	Secret string
}

func (s *Server) enrolPageData(r *http.Request, sess auth.Session) (*enrolData, error) {
	secret, err := s.auth.BeginTOTP(r.Context(), sess.UserID)
	if err != nil {
		return nil, err
	}
	u, err := s.auth.GetUser(r.Context(), sess.UserID)
	if err != nil {
		return nil, err
	}
	svg, err := qrSVG(auth.TOTPURI(s.app.Config.ServiceName, u.Email, secret))
	if err != nil {
		return nil, err
	}
	return &enrolData{QR: svg, Secret: auth.GroupSecret(secret)}, nil
}

func (s *Server) enrolPage(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.partialFor(w, r, auth.StageEnrol)
	if !ok {
		return
	}
	data, err := s.enrolPageData(r, sess)
	if err != nil {
		s.internalError(w, r)
		return
	}
	s.render(w, r, http.StatusOK, "enrol", &page{Title: "Set up two-factor sign-in", Data: data, Form: url.Values{"next": {r.URL.Query().Get("next")}}})
}

func (s *Server) enrol(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.partialFor(w, r, auth.StageEnrol)
	if !ok || !parseForm(w, r) {
		return
	}
	codes, err := s.auth.ConfirmTOTP(r.Context(), auth.Actor{UserID: sess.UserID, Client: httpx.ClientAddress(r)}, sess.UserID, r.PostForm.Get("code"))
	if err != nil {
		data, derr := s.enrolPageData(r, sess)
		if derr != nil {
			s.internalError(w, r)
			return
		}
		s.formError(w, r, "enrol", &page{Title: "Set up two-factor sign-in", Data: data, Form: url.Values{"next": {r.PostForm.Get("next")}}}, err, "code")
		return
	}
	if err := s.finishSignIn(w, r, sess); err != nil {
		s.internalError(w, r)
		return
	}
	u, _ := s.auth.GetUser(r.Context(), sess.UserID)
	s.render(w, r, http.StatusOK, "recovery_codes", &page{Title: "Save your recovery codes", User: u.Principal(),
		Data: recoveryCodesPage{Codes: codes, Next: safeNext(r.PostForm.Get("next"))}})
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if p := httpx.Principal(r); p != nil && p.SessionHash != "" {
		s.auth.EndSession(r.Context(), p.SessionHash)
	} else if sess, ok := partialSession(r); ok {
		s.auth.EndSession(r.Context(), sess.TokenHash)
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/sign-in?signed_out=1", http.StatusSeeOther)
}

func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) {
	u, err := s.auth.SetupLinkUser(r.Context(), r.PathValue("token"))
	if err != nil {
		s.renderError(w, r, httpx.StatusFor(oikos.ErrorCode(err)), "This link does not work", oikos.ErrorMessage(err))
		return
	}
	s.render(w, r, http.StatusOK, "setup", &page{Title: "Choose your password", Data: setupData(u, r)})
}

func setupData(u auth.User, r *http.Request) setupPage {
	return setupPage{Name: u.Name, Email: u.Email, Action: "/setup/" + r.PathValue("token")}
}

func (s *Server) setup(w http.ResponseWriter, r *http.Request) {
	u, err := s.auth.SetupLinkUser(r.Context(), r.PathValue("token"))
	if err != nil {
		s.renderError(w, r, httpx.StatusFor(oikos.ErrorCode(err)), "This link does not work", oikos.ErrorMessage(err))
		return
	}
	if !parseForm(w, r) {
		return
	}
	pg := &page{Title: "Choose your password", Data: setupData(u, r), Form: url.Values{}}
	pw, confirm := r.PostForm.Get("password"), r.PostForm.Get("confirm")
	if pw != confirm {
		s.formError(w, r, "setup", pg, oikos.Invalid(map[string]string{"confirm": "The two passwords are not the same. Type them again."}), "confirm")
		return
	}
	u, err = s.auth.UseSetupLink(r.Context(), r.PathValue("token"), pw, httpx.ClientAddress(r))
	if err != nil {
		s.formError(w, r, "setup", pg, err, "password", "password", "confirm")
		return
	}
	stage, dest := auth.StageEnrol, "/sign-in/two-factor"
	if u.TwoFactor {
		stage, dest = auth.StageSecondFactor, "/sign-in/code"
	}
	token, err := s.auth.StartSession(r.Context(), u.ID, stage, httpx.ClientAddress(r))
	if err != nil {
		s.internalError(w, r)
		return
	}
	s.setSessionCookie(w, token)
	http.Redirect(w, r, dest, http.StatusSeeOther)
}
