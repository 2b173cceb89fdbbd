// Package population carries the illustrative population figures for the
// Devon demo region, so that "oikos demo" can load them from the binary.
package population

import _ "embed"

// DevonSample is devon-sample.csv: invented figures, not ONS data.
//
//go:embed devon-sample.csv
var DevonSample []byte
