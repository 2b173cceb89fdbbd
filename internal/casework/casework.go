// Package casework is the link worker's work with a person after a referral
// is accepted: contacts, the "what matters" conversation and the plan the
// person owns.
package casework

import (
	"time"

	"oikos/internal/db"
)

// Store keeps contacts, conversations and plans.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a Store with the real clock.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }
