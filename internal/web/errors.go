package web

import (
	"errors"

	"oikos"
)

func asError(err error, target **oikos.Error) bool { return errors.As(err, target) }
