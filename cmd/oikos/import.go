package main

import (
	"context"
	"errors"
)

// importCmd runs "oikos import oruk FILE|URL" and "oikos import postcodes FILE".
func (e *env) importCmd(ctx context.Context, args []string) error {
	return errors.New(`unknown import: try "oikos import oruk FILE|URL" or "oikos import postcodes FILE"`)
}
