// Package auth owns who people are and what they may do: users, passwords,
// TOTP, sessions, API tokens, sign-in throttling and the access policy that
// every route and every object lookup goes through.
package auth

import "slices"

// Role is a user's one role. The names are fixed by the contract.
type Role string

const (
	Admin        Role = "admin"
	Manager      Role = "manager"
	LinkWorker   Role = "link_worker"
	Referrer     Role = "referrer"
	Provider     Role = "provider"
	Volunteer    Role = "volunteer"
	Commissioner Role = "commissioner"
)

// Roles lists every role, in the order pages show them.
var Roles = []Role{Admin, Manager, LinkWorker, Referrer, Provider, Volunteer, Commissioner}

// InScheme reports whether the role works within one scheme and sees only
// its people and figures (CONTRACT.md, "Schemes"). Referrers see what they
// referred and providers what was sent to their services, from any scheme.
func (r Role) InScheme() bool {
	return r == Manager || r == LinkWorker || r == Commissioner || r == Volunteer
}

// Valid reports whether r is one of the contract's roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Label is the role's name as a person reads it.
func (r Role) Label() string {
	switch r {
	case Admin:
		return "Administrator"
	case Manager:
		return "Scheme manager"
	case LinkWorker:
		return "Link worker"
	case Referrer:
		return "Referrer"
	case Provider:
		return "Community provider"
	case Volunteer:
		return "Volunteer"
	case Commissioner:
		return "Commissioner"
	}
	return string(r)
}

// Principal is who is asking: a signed-in user. A nil *Principal is an
// anonymous visitor.
type Principal struct {
	UserID         string
	Name           string
	Email          string
	Role           Role
	OrganisationID string
	// SchemeID is the scheme the user works in ("" when they belong to
	// none, as in a deployment without schemes).
	SchemeID string
	// SessionHash is set when the principal came from a browser session.
	SessionHash string
}

// Access is a route's gate: who may reach it at all. Every route has one;
// object-level decisions (Can) come after it, inside the handler.
type Access struct {
	Name   string
	public bool
	roles  []Role // empty with public false: any signed-in user
	person bool   // the person supported, through their own session, never staff
}

// Public routes are open to anyone, signed in or not.
var Public = Access{Name: "public", public: true}

// SignedIn routes are open to any signed-in user.
var SignedIn = Access{Name: "signed in"}

// Person routes are the person's own pages: open only to the person signed
// in with a one-time link or code (checked by the web gate from their own
// session), and to no staff user.
var Person = Access{Name: "the person", person: true}

// IsPerson reports whether the route is for the person, not staff.
func (a Access) IsPerson() bool { return a.person }

// Only opens a route to the given roles.
func Only(roles ...Role) Access {
	name := ""
	for i, r := range roles {
		if i > 0 {
			name += ", "
		}
		name += string(r)
	}
	return Access{Name: name, roles: roles}
}

// IsPublic reports whether anonymous visitors may reach the route.
func (a Access) IsPublic() bool { return a.public }

// Allows reports whether p may reach a route behind a.
func (a Access) Allows(p *Principal) bool {
	if a.person {
		return false
	}
	if a.public {
		return true
	}
	if p == nil {
		return false
	}
	return len(a.roles) == 0 || slices.Contains(a.roles, p.Role)
}

// Action is what a principal wants to do with an object.
type Action int

const (
	ReadAction Action = iota
	ChangeAction
)

// Object describes a thing for the policy: what kind it is and whom it
// belongs to. Later kinds (people, referrals) add their relationships here.
type Object struct {
	Kind           string // "organisation", "user"
	ID             string
	OrganisationID string // the organisation it belongs to, if any
	AssignedTo     string // the link worker it is assigned to, if any
	CreatedBy      string // the user who made it (a referral's referrer)
	// SchemeID is the scheme the object belongs to (a referral's, or the
	// referral's behind a connection).
	SchemeID string
	// InTriage is set for a referral still waiting for a link worker:
	// open, and assigned to nobody.
	InTriage bool
	// VolunteerID is the volunteer a volunteer match is with, or whose
	// profile a "volunteer" object is; CoordinatorID the health champion
	// who coordinates that volunteer.
	VolunteerID, CoordinatorID string
	// Ended is set for a volunteer match that has ended: its volunteer no
	// longer sees it.
	Ended bool
}

// sameScheme reports whether a scheme-bound principal works in the
// object's scheme.
func sameScheme(p *Principal, obj Object) bool { return p.SchemeID == obj.SchemeID }

// Can is the object-level policy: may p do act to obj? Callers answer 404
// when it says no, so that what a user may not see does not exist for them.
func Can(p *Principal, act Action, obj Object) bool {
	if p == nil {
		return false
	}
	if allowed, known := canFunds(p, act, obj); known {
		return allowed
	}
	switch obj.Kind {
	case "organisation":
		switch {
		case p.Role == Admin:
			return true
		case act == ReadAction:
			// Staff see their own organisation; everyone may see the list of
			// organisations to refer from (names and kinds only).
			return true
		}
		return false
	case "referral":
		switch p.Role {
		case Manager:
			return sameScheme(p, obj)
		case LinkWorker:
			// Their caseload, and the unassigned triage queue of the
			// scheme; not a referral closed or moved on without them.
			return sameScheme(p, obj) && ((obj.AssignedTo != "" && obj.AssignedTo == p.UserID) || obj.InTriage)
		case Referrer:
			// The status of referrals they made; never a change.
			return act == ReadAction && obj.CreatedBy != "" && obj.CreatedBy == p.UserID
		}
		return false
	case "connection":
		// A social prescription: the provider organisation it was sent to,
		// the person's link worker, and managers. A referrer sees only the
		// summary on their referral's page, never the connection itself.
		switch p.Role {
		case Manager:
			return sameScheme(p, obj)
		case Provider:
			return obj.OrganisationID != "" && obj.OrganisationID == p.OrganisationID
		case LinkWorker:
			return sameScheme(p, obj) && obj.AssignedTo != "" && obj.AssignedTo == p.UserID
		}
		return false
	case "service":
		// The directory is public; its entries are kept by the provider
		// organisation that runs them, and by scheme managers.
		switch {
		case act == ReadAction:
			return true
		case p.Role == Admin || p.Role == Manager:
			return true
		case p.Role == Provider:
			return obj.OrganisationID != "" && obj.OrganisationID == p.OrganisationID
		}
		return false
	case "concern":
		// A safeguarding concern: the scheme's managers and the person's
		// link worker (AssignedTo) see and act on it; whoever raised it
		// (CreatedBy) may read it, to know it was taken up, and nothing
		// more.
		switch {
		case p.Role == Manager && sameScheme(p, obj):
			return true
		case p.Role == LinkWorker && sameScheme(p, obj) && obj.AssignedTo != "" && obj.AssignedTo == p.UserID:
			return true
		}
		return act == ReadAction && obj.CreatedBy != "" && obj.CreatedBy == p.UserID
	case "volunteer_match":
		// A volunteer matched to a person: the scheme's managers, the
		// person's link worker, and the volunteer while the match lasts.
		// A health champion sees their volunteers' matches only as
		// figures (hours, status), never as a match with a person in it.
		switch p.Role {
		case Manager:
			return sameScheme(p, obj)
		case LinkWorker:
			return sameScheme(p, obj) && obj.AssignedTo != "" && obj.AssignedTo == p.UserID
		case Volunteer:
			return sameScheme(p, obj) && !obj.Ended && obj.VolunteerID != "" && obj.VolunteerID == p.UserID
		}
		return false
	case "volunteer":
		// A volunteer's profile: kept by the scheme's managers; read by the
		// volunteer (who corrects their own contact details and
		// availability) and by the health champion who coordinates them.
		switch {
		case p.Role == Manager:
			return sameScheme(p, obj)
		case obj.VolunteerID == "" || !sameScheme(p, obj) || p.Role != Volunteer:
			return false
		case obj.VolunteerID == p.UserID:
			return true
		case obj.CoordinatorID != "" && obj.CoordinatorID == p.UserID:
			return act == ReadAction
		}
		return false
	case "user":
		switch {
		case p.Role == Admin:
			return true
		case obj.ID == p.UserID:
			return act == ReadAction
		case p.Role == Manager && act == ReadAction:
			return obj.OrganisationID != "" && obj.OrganisationID == p.OrganisationID
		}
		return false
	}
	return false
}
