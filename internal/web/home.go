package web

import (
	"context"
	"fmt"
	"net/http"

	"oikos/internal/auth"
	"oikos/internal/casefile"
	"oikos/internal/connection"
	"oikos/internal/web/httpx"
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
			{"Volunteers", "Volunteer profiles, their DBS checks and training, and the health champions who coordinate them.", "/volunteers"},
			{"Safeguarding concerns", "The scheme's concerns log: what was raised, what was done, and the outcome each closed with.", "/concerns"},
			{"Volunteering report", "Volunteers active, matches, hours, people supported and peer mentors, with safeguarding figures.", "/reports/volunteering"},
		}
	case auth.LinkWorker:
		return []card{
			{"Your caseload", "The people you are working with, with what is due next for each.", "/caseload"},
			{"Triage queue", "New referrals to your scheme waiting for someone to pick them up, oldest first.", "/referrals"},
			{"Community directory", "Local groups, activities and services to connect people with.", "/directory"},
			{"Safeguarding concerns", "Concerns raised about the people you work with, and what has been done.", "/concerns"},
		}
	case auth.Referrer:
		return []card{
			{"Your referrals", "The referrals you have made and how each is going.", "/referrals/sent"},
			{"Make a referral", "Refer someone for social prescribing: it takes a couple of minutes.", "/referrals/new"},
		}
	case auth.Provider:
		return []card{
			providerQueueCard(0),
			{"Your services", "Your organisation's entries in the community directory, to keep up to date.", "/directory/manage"},
		}
	case auth.Volunteer:
		return []card{
			{"People you support", "The people you are matched with, what their link worker has shared, and the visits you log.", "/volunteering"},
			{"Your details", "Your phone, email and the times you are free, for your scheme to reach you.", "/volunteering/details"},
		}
	case auth.Commissioner:
		return []card{
			{"Reports", "Referrals, connections and outcomes across the area, with charts and CSV downloads. Small numbers are hidden to protect people's privacy.", "/reports"},
			{"Volunteering report", "Volunteers active, matches, hours, people supported and peer mentors, with safeguarding figures.", "/reports/volunteering"},
		}
	}
	return nil
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	p := httpx.Principal(r)
	if p == nil {
		s.render(w, r, http.StatusOK, "home_public", &page{Title: "Home"})
		return
	}
	// Open safeguarding concerns, counted (a count names nobody).
	open, err := s.safe.CountOpen(r.Context(), p)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	cards := homeCards(p.Role)
	if p.Role == auth.Provider {
		// How many wait for the provider's answer (a count names nobody).
		f := connection.Filter{Statuses: []connection.Status{connection.Sent, connection.Waitlisted}}
		waiting := 0
		if casefile.ScopeConnections(p, &f) {
			if waiting, err = s.conns.Count(r.Context(), f); err != nil {
				s.pageError(w, r, err)
				return
			}
		}
		cards[0] = providerQueueCard(waiting)
	}
	s.render(w, r, http.StatusOK, "home", &page{Title: "Home", Data: homePage{
		Cards: cards, Organisation: s.orgName(r.Context(), p.OrganisationID), OpenConcerns: open,
	}})
}

// providerQueueCard is the provider's card for people referred to their
// services: how many wait for an answer, or what will be there.
func providerQueueCard(waiting int) card {
	c := card{Title: "People referred to your services", Href: "/connections"}
	switch waiting {
	case 0:
		c.Text = "Nobody is waiting for an answer. People connected to your organisation's services will appear here, for you to accept and record attendance."
	case 1:
		c.Text = "1 person is waiting for your answer. Accept them, or put them on your waiting list, and record attendance."
	default:
		c.Text = fmt.Sprintf("%d people are waiting for your answer. Accept them, or put them on your waiting list, and record attendance.", waiting)
	}
	return c
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

func (s *Server) showAbout(w http.ResponseWriter, r *http.Request, title string) {
	s.render(w, r, http.StatusOK, "about", &page{Title: title})
}

func (s *Server) aboutPage(w http.ResponseWriter, r *http.Request) { s.showAbout(w, r, "About Oikos") }

func (s *Server) accessibilityPage(w http.ResponseWriter, r *http.Request) {
	s.showAbout(w, r, "Accessibility statement")
}
