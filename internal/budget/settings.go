package budget

import (
	"context"
	"database/sql"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
)

// Settings are a scheme's budget settings.
type Settings struct {
	SchemeID               string `json:"scheme_id"`
	ApprovalThresholdPence int64  `json:"approval_threshold_pence"`
	// Default is true while the scheme uses the default threshold.
	Default bool `json:"default"`
}

// SettingsInput is the body that sets a scheme's settings.
type SettingsInput struct {
	ApprovalThresholdPence *int64 `json:"approval_threshold_pence"`
}

// threshold is a scheme's approval threshold, or the default.
func threshold(ctx context.Context, q db.Querier, schemeID string) (int64, error) {
	var pence int64
	err := q.QueryRowContext(ctx, "SELECT approval_threshold_pence FROM budget_settings WHERE scheme_id = $1", schemeID).Scan(&pence)
	if err == sql.ErrNoRows {
		return DefaultThresholdPence, nil
	}
	return pence, err
}

// SchemeSettings reads a scheme's settings for p ("" is the scheme of a
// deployment without schemes).
func (s *Store) SchemeSettings(ctx context.Context, p *auth.Principal, schemeID string) (Settings, error) {
	if !auth.Can(p, auth.ReadAction, auth.Object{Kind: auth.KindBudgetSettings, ID: schemeID, SchemeID: schemeID}) {
		return Settings{}, oikos.NotFound("Scheme")
	}
	out := Settings{SchemeID: schemeID}
	err := s.DB.R().QueryRowContext(ctx, "SELECT approval_threshold_pence FROM budget_settings WHERE scheme_id = $1", schemeID).
		Scan(&out.ApprovalThresholdPence)
	if err == sql.ErrNoRows {
		out.ApprovalThresholdPence, out.Default = DefaultThresholdPence, true
		return out, nil
	}
	return out, err
}

// SetSchemeSettings sets a scheme's approval threshold (its managers, or
// an administrator). Purchases already recorded keep the status they took.
func (s *Store) SetSchemeSettings(ctx context.Context, p *auth.Principal, by oikos.Actor, schemeID string, in SettingsInput) (Settings, error) {
	if !oikos.PlainText(schemeID, false) || !auth.Can(p, auth.ChangeAction, auth.Object{Kind: auth.KindBudgetSettings, ID: schemeID, SchemeID: schemeID}) {
		return Settings{}, oikos.NotFound("Scheme")
	}
	if err := CheckThreshold(in.ApprovalThresholdPence); err != nil {
		return Settings{}, err
	}
	if schemeID != "" {
		var kind string
		err := s.DB.R().QueryRowContext(ctx, "SELECT kind FROM organisations WHERE id = $1", schemeID).Scan(&kind)
		if err == sql.ErrNoRows || (err == nil && kind != "scheme") {
			return Settings{}, oikos.NotFound("Scheme")
		} else if err != nil {
			return Settings{}, err
		}
	}
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO budget_settings (scheme_id, approval_threshold_pence, updated_at, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (scheme_id) DO UPDATE SET approval_threshold_pence = excluded.approval_threshold_pence,
				updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			schemeID, *in.ApprovalThresholdPence, db.Millis(now), by.UserID)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, audit.Update, kindScheme, schemeID)
	})
	return Settings{SchemeID: schemeID, ApprovalThresholdPence: *in.ApprovalThresholdPence}, err
}
