package auth

// The policy for personal budgets, grants and groups registering
// themselves (CONTRACT.md, "Personal budgets" and "Grants for community
// groups"). Every kind here belongs to a scheme (Object.SchemeID): a
// budget its referral's, a round and its applications and awards the
// scheme that runs the round, a registration the scheme covering the
// group's postcode.

// Object kinds of this file.
const (
	// KindBudget is a person's budget: AssignedTo and InTriage are its
	// referral's.
	KindBudget = "budget"
	// KindBudgetApproval is the decision on a purchase awaiting approval.
	KindBudgetApproval = "budget_approval"
	// KindBudgetLedger is a scheme's finance ledger of every budget.
	KindBudgetLedger = "budget_ledger"
	// KindBudgetSettings is a scheme's budget settings (the approval
	// threshold).
	KindBudgetSettings = "budget_settings"
	// KindGrantRound is a grant round.
	KindGrantRound = "grant_round"
	// KindGrantApplication is an application: OrganisationID is the
	// applicant's.
	KindGrantApplication = "grant_application"
	// KindGrantAward is deciding an application and paying an award.
	KindGrantAward = "grant_award"
	// KindGroupRegistration is a group's registration awaiting a check.
	KindGroupRegistration = "group_registration"
)

// canFunds is Can for the kinds of this file; known is false for any other.
func canFunds(p *Principal, act Action, obj Object) (allowed, known bool) {
	switch obj.Kind {
	case KindBudget:
		// As the referral: managers of the scheme; link workers their
		// caseload, and may read (not spend) for the triage queue they
		// may read.
		switch p.Role {
		case Manager:
			return sameScheme(p, obj), true
		case LinkWorker:
			mine := obj.AssignedTo != "" && obj.AssignedTo == p.UserID
			return sameScheme(p, obj) && (mine || (act == ReadAction && obj.InTriage)), true
		}
		return false, true
	case KindBudgetApproval, KindBudgetLedger, KindGrantAward, KindGroupRegistration:
		// Only the scheme's managers decide and pay.
		return p.Role == Manager && sameScheme(p, obj), true
	case KindBudgetSettings:
		switch p.Role {
		case Admin:
			return true, true
		case Manager:
			return sameScheme(p, obj), true
		case LinkWorker:
			return act == ReadAction && sameScheme(p, obj), true
		}
		return false, true
	case KindGrantRound:
		switch p.Role {
		case Manager:
			return sameScheme(p, obj), true
		case Commissioner:
			return act == ReadAction && sameScheme(p, obj), true
		case Provider:
			// Community organisations from anywhere may read a round to
			// apply to it.
			return act == ReadAction, true
		}
		return false, true
	case KindGrantApplication:
		switch p.Role {
		case Manager:
			return act == ReadAction && sameScheme(p, obj), true
		case Provider:
			// Their own organisation's applications, never another's.
			return obj.OrganisationID != "" && obj.OrganisationID == p.OrganisationID, true
		}
		return false, true
	}
	return false, false
}
