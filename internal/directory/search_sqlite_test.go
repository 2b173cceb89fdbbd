package directory

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"oikos/internal/db/dbtest"
	"oikos/internal/taxonomy"
)

// A search near a place finds a category in a service's space-separated
// codes with instr, which is exact only while no code holds another.
func TestNoCategoryCodeHoldsAnother(t *testing.T) {
	for _, a := range taxonomy.Categories {
		if strings.ContainsAny(a.Code, " ") {
			t.Errorf("category code %q has a space", a.Code)
		}
		for _, b := range taxonomy.Categories {
			if a.Code != b.Code && strings.Contains(b.Code, a.Code) {
				t.Errorf("category code %q holds %q: filterWhere must match whole codes", b.Code, a.Code)
			}
		}
	}
}

// A search on SQLite waits for a free slot, and gives up when its caller
// does rather than wait on.
func TestSQLiteSearchWaitsForASlot(t *testing.T) {
	s := NewStore(dbtest.SQLite(t))
	for range cap(sqliteSearchSlots) {
		sqliteSearchSlots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.Search(ctx, Query{Text: "walk"})
	for range cap(sqliteSearchSlots) {
		<-sqliteSearchSlots
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with every slot taken: %v, want the deadline", err)
	}
	if _, err := s.Search(context.Background(), Query{Text: "walk"}); err != nil {
		t.Fatalf("with slots free: %v", err)
	}
}
