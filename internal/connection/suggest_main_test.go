package connection_test

import (
	"testing"

	"oikos/internal/db/dbtest"
)

// TestMain stops the throwaway PostgreSQL cluster after the package's tests.
func TestMain(m *testing.M) { dbtest.Main(m) }
