-- Personal budgets (CONTRACT.md, "Personal budgets"): an allowance on a
-- referral, and an append-only ledger of what was allocated, bought and put
-- right. Money is integer pence.

-- A scheme's settings for budgets: above the approval threshold a purchase
-- waits for a manager. A scheme without a row uses the default (£50).
CREATE TABLE budget_settings (
	scheme_id TEXT PRIMARY KEY,
	approval_threshold_pence BIGINT NOT NULL CHECK (approval_threshold_pence >= 0),
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL
)
-- ;
-- One budget per referral, holding the running totals that the ledger adds
-- up to. Every purchase moves them with one conditional UPDATE, and the
-- CHECK below is the last word: whatever the application does, committed
-- spending and purchases awaiting approval never exceed the allowance.
CREATE TABLE budgets (
	referral_id TEXT PRIMARY KEY REFERENCES referrals (id),
	allowance_pence BIGINT NOT NULL CHECK (allowance_pence >= 0),
	spent_pence BIGINT NOT NULL DEFAULT 0 CHECK (spent_pence >= 0),
	pending_pence BIGINT NOT NULL DEFAULT 0 CHECK (pending_pence >= 0),
	entries BIGINT NOT NULL DEFAULT 0,
	purpose TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL,
	CHECK (spent_pence + pending_pence <= allowance_pence)
)
-- ;
-- The ledger. position numbers a budget's entries in order; scheme_id is
-- the scheme whose budget paid, written with the entry, so that the
-- finance ledger reads one index. reverses names the purchase a reversal
-- puts right (at most one reversal each).
CREATE TABLE budget_entries (
	id TEXT PRIMARY KEY,
	referral_id TEXT NOT NULL REFERENCES budgets (referral_id),
	position BIGINT NOT NULL,
	scheme_id TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL CHECK (kind IN ('allocation','purchase','reversal')),
	amount_pence BIGINT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('approved','awaiting_approval')),
	supplier TEXT NOT NULL DEFAULT '',
	service_id TEXT REFERENCES services (id),
	description TEXT NOT NULL DEFAULT '',
	on_date TEXT NOT NULL,
	reverses TEXT REFERENCES budget_entries (id),
	reason TEXT NOT NULL DEFAULT '',
	by_user TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	CHECK (kind = 'allocation' OR amount_pence > 0),
	CHECK ((kind = 'reversal') = (reverses IS NOT NULL))
)
-- ;
CREATE UNIQUE INDEX budget_entries_position ON budget_entries (referral_id, position)
-- ;
CREATE UNIQUE INDEX budget_entries_reverses ON budget_entries (reverses)
-- ;
CREATE INDEX budget_entries_ledger ON budget_entries (scheme_id, created_at, referral_id, position)
-- ;
-- A manager's decision on a purchase awaiting approval: a row of its own,
-- so that the purchase entry is never edited, and one at most (the primary
-- key), so that a second decision fails even when two arrive at once.
CREATE TABLE budget_decisions (
	entry_id TEXT PRIMARY KEY REFERENCES budget_entries (id),
	referral_id TEXT NOT NULL REFERENCES budgets (referral_id),
	decision TEXT NOT NULL CHECK (decision IN ('approved','refused')),
	reason TEXT NOT NULL DEFAULT '',
	by_user TEXT NOT NULL,
	at BIGINT NOT NULL
)
-- ;
CREATE INDEX budget_decisions_referral ON budget_decisions (referral_id)
-- ;
-- Append-only: entries and decisions are never deleted, and never changed
-- but for erasure (package privacy) blanking the words a person may be
-- named in. Amounts, dates, suppliers and who did what stay, for finance.
CREATE TRIGGER budget_entries_no_delete BEFORE DELETE ON budget_entries
BEGIN
	SELECT RAISE(ABORT, 'budget entries are never deleted: a mistake is put right with a reversal');
END
-- ;
CREATE TRIGGER budget_entries_no_edit BEFORE UPDATE ON budget_entries
WHEN NEW.id IS NOT OLD.id OR NEW.referral_id IS NOT OLD.referral_id OR NEW.position IS NOT OLD.position
	OR NEW.scheme_id IS NOT OLD.scheme_id OR NEW.kind IS NOT OLD.kind OR NEW.amount_pence IS NOT OLD.amount_pence
	OR NEW.status IS NOT OLD.status OR NEW.supplier IS NOT OLD.supplier OR NEW.service_id IS NOT OLD.service_id
	OR NEW.on_date IS NOT OLD.on_date OR NEW.reverses IS NOT OLD.reverses OR NEW.by_user IS NOT OLD.by_user
	OR NEW.created_at IS NOT OLD.created_at
	OR (NEW.description IS NOT OLD.description AND NEW.description <> '')
	OR (NEW.reason IS NOT OLD.reason AND NEW.reason <> '')
BEGIN
	SELECT RAISE(ABORT, 'budget entries are append-only: a mistake is put right with a reversal');
END
-- ;
CREATE TRIGGER budget_decisions_no_delete BEFORE DELETE ON budget_decisions
BEGIN
	SELECT RAISE(ABORT, 'budget decisions are never deleted');
END
-- ;
CREATE TRIGGER budget_decisions_no_edit BEFORE UPDATE ON budget_decisions
WHEN NEW.entry_id IS NOT OLD.entry_id OR NEW.referral_id IS NOT OLD.referral_id OR NEW.decision IS NOT OLD.decision
	OR NEW.by_user IS NOT OLD.by_user OR NEW.at IS NOT OLD.at
	OR (NEW.reason IS NOT OLD.reason AND NEW.reason <> '')
BEGIN
	SELECT RAISE(ABORT, 'budget decisions are never changed');
END
