package org_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"oikos"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/org"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestRoleLabel(t *testing.T) {
	names := org.RoleNames{"link_worker": "Community connector", "manager": "Hub lead"}
	for _, tt := range []struct {
		names          org.RoleNames
		role, fallback string
		want           string
	}{
		{names, "link_worker", "Link worker", "Community connector"},
		{names, "manager", "Scheme manager", "Hub lead"},
		{names, "volunteer", "Volunteer", "Volunteer"},
		{nil, "link_worker", "Link worker", "Link worker"},
		{org.RoleNames{"link_worker": ""}, "link_worker", "Link worker", "Link worker"},
	} {
		if got := org.RoleLabel(tt.names, tt.role, tt.fallback); got != tt.want {
			t.Errorf("%s in %v: %q, want %q", tt.role, tt.names, got, tt.want)
		}
	}
}

func TestNormaliseRoleNames(t *testing.T) {
	for _, tt := range []struct {
		in   org.RoleNames
		want org.RoleNames
		bad  string
	}{
		{in: org.RoleNames{"link_worker": "  Health   guide "}, want: org.RoleNames{"link_worker": "Health guide"}},
		{in: org.RoleNames{"link_worker": "Social prescriber", "volunteer": "Peer mentor", "manager": "", "commissioner": "Funder"},
			want: org.RoleNames{"link_worker": "Social prescriber", "volunteer": "Peer mentor", "commissioner": "Funder"}},
		{in: org.RoleNames{}, want: org.RoleNames{}},
		{in: org.RoleNames{"admin": "Boss"}, bad: "only the roles"},
		{in: org.RoleNames{"referrer": "GP"}, bad: "only the roles"},
		{in: org.RoleNames{"link_worker": strings.Repeat("x", 61)}, bad: "60 characters"},
		{in: org.RoleNames{"link_worker": "a\x00b"}, bad: "plain words"},
	} {
		got, msg := org.NormaliseRoleNames(tt.in)
		if tt.bad != "" {
			if !strings.Contains(msg, tt.bad) {
				t.Errorf("%v: %q, want %q", tt.in, msg, tt.bad)
			}
			continue
		}
		if msg != "" || !maps.Equal(got, tt.want) {
			t.Errorf("%v: %v %q, want %v", tt.in, got, msg, tt.want)
		}
	}
}

func TestSchemeRoleNames(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := &org.Store{DB: d}
		by := org.Actor{UserID: "system"}
		o, err := s.Create(ctx, by, org.Input{Name: "Northgate", Kind: "scheme", RoleNames: org.RoleNames{"link_worker": "Community connector"}})
		if err != nil || o.RoleNames["link_worker"] != "Community connector" {
			t.Fatalf("create: %+v %v", o, err)
		}
		names, err := s.RoleNames(ctx, o.ID)
		if err != nil || org.RoleLabel(names, "link_worker", "Link worker") != "Community connector" {
			t.Fatalf("names %v %v", names, err)
		}
		// Left out, an update keeps them; given, it replaces them.
		if got, err := s.Update(ctx, by, o.ID, org.Input{Name: "Northgate Scheme", Kind: "scheme"}); err != nil || got.RoleNames["link_worker"] != "Community connector" {
			t.Fatalf("kept: %+v %v", got, err)
		}
		got, err := s.Update(ctx, by, o.ID, org.Input{Name: "Northgate Scheme", Kind: "scheme", RoleNames: org.RoleNames{"link_worker": "Health guide", "volunteer": "Peer mentor"}})
		if err != nil || !maps.Equal(got.RoleNames, org.RoleNames{"link_worker": "Health guide", "volunteer": "Peer mentor"}) {
			t.Fatalf("replaced: %+v %v", got, err)
		}
		list, _, err := s.List(ctx, org.ListOptions{})
		if err != nil || len(list) != 1 || list[0].RoleNames["volunteer"] != "Peer mentor" {
			t.Fatalf("list: %+v %v", list, err)
		}
		if schemes, err := s.Schemes(ctx); err != nil || schemes[0].RoleNames["link_worker"] != "Health guide" {
			t.Fatalf("schemes: %+v %v", schemes, err)
		}
		// An empty set clears them.
		if got, err := s.Update(ctx, by, o.ID, org.Input{Name: "Northgate Scheme", Kind: "scheme", RoleNames: org.RoleNames{}}); err != nil || len(got.RoleNames) != 0 {
			t.Fatalf("cleared: %+v %v", got, err)
		}
		// Only schemes name roles; unknown roles are refused.
		for _, in := range []org.Input{
			{Name: "Riverside Surgery", Kind: "gp_practice", RoleNames: org.RoleNames{"link_worker": "Care navigator"}},
			{Name: "Northgate Scheme", Kind: "scheme", RoleNames: org.RoleNames{"admin": "Boss"}},
		} {
			var e *oikos.Error
			if _, err := s.Create(ctx, by, in); !errorAs(err, &e) || e.Fields["role_names"] == "" {
				t.Errorf("%+v: %v", in, err)
			}
		}
		// A scheme that stops being one names nothing.
		if _, err := s.Update(ctx, by, o.ID, org.Input{Name: "Northgate Trust", Kind: "vcse"}); err != nil {
			t.Fatal(err)
		}
		if names, err := s.RoleNames(ctx, o.ID); err != nil || len(names) != 0 {
			t.Fatalf("after: %v %v", names, err)
		}
	})
}

func errorAs(err error, target **oikos.Error) bool {
	e, ok := err.(*oikos.Error)
	*target = e
	return ok
}
