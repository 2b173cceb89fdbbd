package referral_test

import (
	"context"
	"testing"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

func TestParseGPShare(t *testing.T) {
	for in, want := range map[string]referral.GPShare{"full": referral.GPShareFull, "codes_only": referral.GPShareCodes, "": "", "FULL": "", "all": ""} {
		got, err := referral.ParseGPShare(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("ParseGPShare(%q) = %q, %v", in, got, err)
		}
		if err != nil && oikos.ErrorCode(err) != oikos.EINVALID {
			t.Errorf("%q: %v", in, err)
		}
	}
	for share, full := range map[referral.GPShare]bool{referral.GPShareFull: true, referral.GPShareCodes: false, referral.GPShareUnset: false} {
		if share.Full() != full || share.Label() == "" {
			t.Errorf("%q: full %v, label %q", share, share.Full(), share.Label())
		}
	}
}

// TestGPShare: the choice is kept on the referral, audited, and may
// change; nothing else is.
func TestGPShare(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		ref, err := s.Create(ctx, gp, margaret(), "", "api")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, ref.ID); got.GPShare != referral.GPShareUnset || got.GPShare.Full() {
			t.Fatalf("a new referral shares %q", got.GPShare)
		}
		worker := referral.Actor{UserID: "usr_worker", Client: "test"}
		for _, share := range []referral.GPShare{referral.GPShareFull, referral.GPShareCodes} {
			got, err := s.SetGPShare(ctx, worker, ref.ID, share)
			if err != nil || got.GPShare != share || got.Status != referral.Received || len(got.Reasons) != 2 {
				t.Fatalf("%s: %+v %v", share, got, err)
			}
		}
		if _, err := s.SetGPShare(ctx, worker, ref.ID, "everything"); oikos.ErrorCode(err) != oikos.EINVALID {
			t.Errorf("a choice Oikos does not have: %v", err)
		}
		if _, err := s.SetGPShare(ctx, worker, "ref_nothing", referral.GPShareFull); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("no such referral: %v", err)
		}
		var by string
		var at *int64
		if err := d.R().QueryRowContext(ctx, "SELECT gp_share_by, gp_share_at FROM referrals WHERE id = $1", ref.ID).Scan(&by, &at); err != nil ||
			by != worker.UserID || at == nil {
			t.Errorf("recorded by %q at %v: %v", by, at, err)
		}
		entries, err := audit.ForObject(ctx, d.R(), "referral.gp_share", ref.ID, 10)
		if err != nil || len(entries) != 2 || entries[0].ActorID != worker.UserID || entries[0].Action != audit.Update {
			t.Errorf("audit %+v %v", entries, err)
		}
		if sent := ref.AsSent(); sent.GPShare != ref.GPShare {
			t.Error("the referrer sees which was chosen")
		}
	})
}

// TestReasonText: a referral may come with the referrer's words alone,
// kept as sent and shown back; with neither reasons nor words it is
// refused.
func TestReasonText(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := referral.NewStore(d)
		in := margaret()
		in.Reasons, in.ReasonText = nil, "  Fear of falling\nsince a hip replacement  "
		ref, err := s.Create(ctx, gp, in, "", "fhir")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, ref.ID)
		if err != nil || got.ReasonText != "Fear of falling\nsince a hip replacement" || len(got.Reasons) != 0 || got.AsSent().ReasonText != got.ReasonText {
			t.Fatalf("%+v %v", got, err)
		}
		in.ReasonText = ""
		if _, err := s.Create(ctx, gp, in, "", "fhir"); err == nil || err.(*oikos.Error).Fields["reasons"] == "" {
			t.Errorf("no reasons and no words: %v", err)
		}
		in.ReasonText = "lonely\x00"
		if _, err := s.Create(ctx, gp, in, "", "fhir"); err == nil || err.(*oikos.Error).Fields["reason_text"] == "" {
			t.Errorf("control characters: %v", err)
		}
	})
}
