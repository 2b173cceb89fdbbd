package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"sort"
	"strings"
)

// static holds our own small files and, under vendor/, the NHS.UK frontend
// copied in by `make assets` (not committed).
//
//go:embed static
var staticFiles embed.FS

type staticAssets struct {
	fs fs.FS
	// Prefix is where assets are served: /static/<content hash>. A new
	// build gets a new prefix, so files can be cached for a year.
	Prefix string
	// HasVendor is false when `make assets` has not run: pages still work,
	// unstyled.
	HasVendor bool
}

func loadStatic() (*staticAssets, error) {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	var names []string
	err = fs.WalkDir(sub, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, path)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, n := range names {
		f, err := sub.Open(n)
		if err != nil {
			return nil, err
		}
		io.WriteString(h, n+"\x00")
		io.Copy(h, f)
		f.Close()
	}
	_, vendorErr := fs.Stat(sub, "vendor/nhsuk-frontend.min.css")
	return &staticAssets{
		fs:        sub,
		Prefix:    "/static/" + hex.EncodeToString(h.Sum(nil))[:12],
		HasVendor: !errors.Is(vendorErr, fs.ErrNotExist),
	}, nil
}

// serve answers /static/{version}/{path...}. Files under the current version
// are immutable; an old version (a page loaded before a deploy) still gets
// the file, but without the long cache.
func (a *staticAssets) serve(w http.ResponseWriter, r *http.Request) {
	path := r.PathValue("path")
	if path == "" || strings.HasSuffix(path, "/") {
		http.NotFound(w, r)
		return
	}
	if "/static/"+r.PathValue("version") == a.Prefix {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	http.ServeFileFS(w, r, a.fs, path)
}
