package auth

// What each role does, beside Can's object-level answers: the handlers ask
// these rather than compare roles themselves, so a rule is written once.

// Caseworker reports whether p works with people's cases: link workers
// and managers keep contacts, conversations, plans and connections, and
// triage new referrals.
func Caseworker(p *Principal) bool { return p != nil && (p.Role == LinkWorker || p.Role == Manager) }

// SeesAsSent reports whether p sees a referral only as it was sent: a
// referrer is told how it is going and the person as they sent them, never
// the record held or the notes.
func SeesAsSent(p *Principal) bool { return p != nil && p.Role == Referrer }

// SeesAsProvider reports whether p sees a connection as the service it was
// sent to does, without the referral behind it.
func SeesAsProvider(p *Principal) bool { return p != nil && p.Role == Provider }

// RefersAsThemselves reports whether a referral p makes is theirs to
// follow (a referrer's), rather than made for someone else's caseload.
func RefersAsThemselves(p *Principal) bool { return p != nil && p.Role == Referrer }

// TakesOnAccepting reports whether p takes a referral into their own
// caseload when they accept it: a link worker does; a manager accepts for
// the scheme and assigns it.
func TakesOnAccepting(p *Principal) bool { return p != nil && p.Role == LinkWorker }

// MayAssignTo reports whether p may give a referral to the user userID: a
// manager to any link worker, a link worker only to themselves.
func MayAssignTo(p *Principal, userID string) bool {
	return p != nil && (p.Role == Manager || (p.Role == LinkWorker && userID == p.UserID))
}

// AssignsOthers reports whether p gives referrals to link workers (a
// manager), and so is offered the scheme's link workers to choose from.
func AssignsOthers(p *Principal) bool { return p != nil && p.Role == Manager }

// OwnCaseload is whose caseload p sees: their own (a link worker), or ""
// for every link worker's in their scheme (a manager).
func OwnCaseload(p *Principal) string {
	if p != nil && p.Role == LinkWorker {
		return p.UserID
	}
	return ""
}

// SeesTeam reports whether p sees the caseloads of a team, grouped by link
// worker (a manager).
func SeesTeam(p *Principal) bool { return p != nil && p.Role == Manager }

// OwnOrganisationOnly is the organisation whose services alone p keeps (a
// provider's own), or "" when p keeps every organisation's they may.
func OwnOrganisationOnly(p *Principal) string {
	if p != nil && p.Role == Provider {
		return p.OrganisationID
	}
	return ""
}

// SeesEveryUser reports whether p sees every user, not only those of their
// own organisation (an administrator).
func SeesEveryUser(p *Principal) bool { return p != nil && p.Role == Admin }

// MayKeepTokensOf reports whether p may make and revoke API tokens of the
// user userID: their own, or anyone's for an administrator.
func MayKeepTokensOf(p *Principal, userID string) bool {
	return p != nil && (p.Role == Admin || p.UserID == userID)
}
