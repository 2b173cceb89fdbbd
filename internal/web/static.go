package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"time"
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
	// gzipped holds, by path, the text files compressed once at start-up
	// at the best level, for clients that accept gzip.
	gzipped map[string][]byte
	// etags name each file's bytes, by path, so that a browser holding
	// a file (an old version's, or past its max-age) is answered 304.
	// The gzipped bytes are another representation with their own tag.
	etags map[string]string
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
	gzipped, etags := map[string][]byte{}, map[string]string{}
	for _, n := range names {
		b, err := fs.ReadFile(sub, n)
		if err != nil {
			return nil, err
		}
		io.WriteString(h, n+"\x00")
		h.Write(b)
		sum := sha256.Sum256(b)
		etags[n] = hex.EncodeToString(sum[:])[:16]
		if gz, ok := gzipOnce(n, b); ok {
			gzipped[n] = gz
		}
	}
	_, vendorErr := fs.Stat(sub, "vendor/nhsuk-frontend.min.css")
	return &staticAssets{
		fs:        sub,
		Prefix:    "/static/" + hex.EncodeToString(h.Sum(nil))[:12],
		HasVendor: !errors.Is(vendorErr, fs.ErrNotExist),
		gzipped:   gzipped,
		etags:     etags,
	}, nil
}

// gzipOnce compresses a static text file at the best level, if that saves
// enough to be worth a second copy in memory (a tenth).
func gzipOnce(name string, b []byte) ([]byte, bool) {
	if len(b) < minCompress || !compressibleType(staticType(name)) {
		return nil, false
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	if buf.Len() > len(b)*9/10 {
		return nil, false
	}
	return buf.Bytes(), true
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
	tag, ok := a.etags[path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if gz, ok := a.gzipped[path]; ok && r.Header.Get("Range") == "" && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h := w.Header()
		h.Set("Content-Type", staticType(path))
		h.Set("Content-Encoding", "gzip") // the compress middleware leaves it be
		h.Set("ETag", `"`+tag+`-gz"`)
		http.ServeContent(w, r, path, time.Time{}, bytes.NewReader(gz))
		return
	}
	w.Header().Set("ETag", `"`+tag+`"`)
	http.ServeFileFS(w, r, a.fs, path)
}
