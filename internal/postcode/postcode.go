// Package postcode validates and normalises UK postcodes, finds where they
// are (full postcodes imported from the ONS Postcode Directory, else the
// postcode district's centroid, embedded), and measures distances.
package postcode

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// The district centroid table ships inside the binary so that distance works
// with nothing imported. Provenance and licence: data/README.md.
//
//go:embed data/outcodes.csv
var outcodesCSV []byte

// Point is a place in WGS84 degrees.
type Point struct {
	Lat, Lon float64
}

var outcodes = map[string]Point{}

func init() {
	r := csv.NewReader(bytes.NewReader(outcodesCSV))
	rows, err := r.ReadAll()
	if err != nil {
		panic("embedded outcodes.csv: " + err.Error())
	}
	for _, row := range rows[1:] {
		lat, err1 := strconv.ParseFloat(row[1], 64)
		lon, err2 := strconv.ParseFloat(row[2], 64)
		if err1 == nil && err2 == nil {
			outcodes[row[0]] = Point{lat, lon}
		}
	}
}

// The UK postcode format: an outward code (area letters, district digits,
// optional letter) and an inward code (digit, two letters). GIR 0AA is the
// one historical exception.
var (
	fullPattern    = regexp.MustCompile(`^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$`)
	outcodePattern = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]?$`)
)

// Normalise returns the postcode in its standard form ("EX1 1AA") and
// whether it is a well-formed full UK postcode.
func Normalise(s string) (string, bool) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if s == "GIR0AA" {
		return "GIR 0AA", true
	}
	if len(s) < 5 || len(s) > 7 {
		return s, false
	}
	m := fullPattern.FindStringSubmatch(s)
	if m == nil {
		return s, false
	}
	return m[1] + " " + m[2], true
}

// NormalisePlace accepts a full postcode or just a district ("EX4"), as a
// person searching might type either.
func NormalisePlace(s string) (string, bool) {
	if pc, ok := Normalise(s); ok {
		return pc, true
	}
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if outcodePattern.MatchString(s) {
		return s, true
	}
	return s, false
}

// Outcode is the district part of a normalised postcode or district.
func Outcode(pc string) string {
	out, _, _ := strings.Cut(pc, " ")
	return out
}

// OutcodeCentre is the centroid of a postcode district, if known.
func OutcodeCentre(outcode string) (Point, bool) {
	p, ok := outcodes[outcode]
	return p, ok
}

const earthRadiusKm = 6371.0088

// DistanceKm is the great-circle (haversine) distance between two points.
func DistanceKm(a, b Point) float64 {
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

// BoundingBox is the latitude and longitude range that holds every point
// within km of p; a cheap index filter before the exact distance.
func BoundingBox(p Point, km float64) (minLat, maxLat, minLon, maxLon float64) {
	dLat := km / earthRadiusKm * 180 / math.Pi
	cos := math.Cos(p.Lat * math.Pi / 180)
	if cos < 0.01 {
		cos = 0.01
	}
	dLon := dLat / cos
	return p.Lat - dLat, p.Lat + dLat, p.Lon - dLon, p.Lon + dLon
}
