// Package portal lets the person being supported sign in without a
// password (a one-time link by email, or a code on paper from their link
// worker) to see and update their own plan and see what is held about them.
package portal

import (
	"time"

	"oikos/internal/db"
)

// Store keeps the person's one-time links, codes and sessions.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a Store with the real clock.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }
