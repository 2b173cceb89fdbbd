package notify

import (
	"testing"

	"oikos/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
