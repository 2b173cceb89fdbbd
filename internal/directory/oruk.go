package directory

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"oikos/internal/taxonomy"
)

// The HSDS 3.0 objects Oikos publishes under /oruk and reads when it
// imports. Only the fields Oikos can fill or use are declared: decoding
// ignores the rest, and every optional field is left out when empty so that
// what is published validates against the compiled schemas.

// HSDSVersion is the version of HSDS the API speaks.
const HSDSVersion = "3.0"

// HSDSOrganization is an organization; Services is filled only in the full form.
type HSDSOrganization struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	AlternateName string        `json:"alternate_name,omitempty"`
	Description   string        `json:"description"`
	Email         string        `json:"email,omitempty"`
	Website       string        `json:"website,omitempty"`
	Services      []HSDSService `json:"services,omitempty"`
	Phones        []HSDSPhone   `json:"phones,omitempty"`
}

// HSDSService is a service: the one-to-one fields alone in a list page, with
// everything nested in the full form.
type HSDSService struct {
	ID                     string                  `json:"id"`
	OrganizationID         string                  `json:"organization_id,omitempty"`
	Name                   string                  `json:"name"`
	AlternateName          string                  `json:"alternate_name,omitempty"`
	Description            string                  `json:"description,omitempty"`
	URL                    string                  `json:"url,omitempty"`
	Email                  string                  `json:"email,omitempty"`
	Status                 string                  `json:"status"`
	FeesDescription        string                  `json:"fees_description,omitempty"`
	Fees                   string                  `json:"fees,omitempty"` // deprecated in 3.0; read, never written
	EligibilityDescription string                  `json:"eligibility_description,omitempty"`
	MinimumAge             Number                  `json:"minimum_age,omitempty"`
	MaximumAge             Number                  `json:"maximum_age,omitempty"`
	AssuredDate            string                  `json:"assured_date,omitempty"`
	LastModified           string                  `json:"last_modified,omitempty"`
	Organization           *HSDSOrganization       `json:"organization,omitempty"`
	Phones                 []HSDSPhone             `json:"phones,omitempty"`
	Schedules              []HSDSSchedule          `json:"schedules,omitempty"`
	ServiceAtLocations     []HSDSServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages              []HSDSLanguage          `json:"languages,omitempty"`
	CostOptions            []HSDSCostOption        `json:"cost_options,omitempty"`
	Attributes             []HSDSAttribute         `json:"attributes,omitempty"`
	Contacts               []HSDSContact           `json:"contacts,omitempty"`
}

// HSDSServiceAtLocation links a service to a place. Name and Status are not
// HSDS fields of a service_at_location: openapi.json declares the answer of
// /service_at_locations/{id} with the service schema, which requires them,
// so the full form carries the service's name and status as well.
type HSDSServiceAtLocation struct {
	ID          string          `json:"id"`
	ServiceID   string          `json:"service_id,omitempty"`
	LocationID  string          `json:"location_id,omitempty"`
	Name        string          `json:"name,omitempty"`
	Status      string          `json:"status,omitempty"`
	Description string          `json:"description,omitempty"`
	Phones      []HSDSPhone     `json:"phones,omitempty"`
	Schedules   []HSDSSchedule  `json:"schedules,omitempty"`
	Contacts    []HSDSContact   `json:"contacts,omitempty"`
	Location    *HSDSLocation   `json:"location,omitempty"`
	Attributes  []HSDSAttribute `json:"attributes,omitempty"`
	Service     *HSDSService    `json:"service,omitempty"`
}

// HSDSLocation is a place a service meets.
type HSDSLocation struct {
	ID            string              `json:"id"`
	LocationType  string              `json:"location_type"`
	Name          string              `json:"name,omitempty"`
	AlternateName string              `json:"alternate_name,omitempty"`
	Latitude      Number              `json:"latitude,omitempty"`
	Longitude     Number              `json:"longitude,omitempty"`
	Addresses     []HSDSAddress       `json:"addresses,omitempty"`
	Accessibility []HSDSAccessibility `json:"accessibility,omitempty"`
	Languages     []HSDSLanguage      `json:"languages,omitempty"`
	Phones        []HSDSPhone         `json:"phones,omitempty"`
	Schedules     []HSDSSchedule      `json:"schedules,omitempty"`
	Contacts      []HSDSContact       `json:"contacts,omitempty"`
}

// HSDSAddress is a postal address. The schema requires every field here,
// so none is omitted when empty.
type HSDSAddress struct {
	ID            string `json:"id"`
	Address1      string `json:"address_1"`
	Address2      string `json:"address_2,omitempty"`
	City          string `json:"city"`
	Region        string `json:"region,omitempty"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
}

// HSDSAccessibility is one accessibility feature of a place.
type HSDSAccessibility struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	Details     string `json:"details,omitempty"`
}

// HSDSPhone is a phone number.
type HSDSPhone struct {
	ID        string `json:"id"`
	Number    string `json:"number"`
	Extension Number `json:"extension,omitempty"`
}

// HSDSContact is a named contact; only their phones are read.
type HSDSContact struct {
	ID     string      `json:"id"`
	Phones []HSDSPhone `json:"phones,omitempty"`
}

// HSDSSchedule is a recurring opening, in iCalendar terms.
type HSDSSchedule struct {
	ID          string `json:"id"`
	Freq        string `json:"freq,omitempty"`
	Interval    Number `json:"interval,omitempty"`
	Byday       string `json:"byday,omitempty"`
	OpensAt     string `json:"opens_at,omitempty"`
	ClosesAt    string `json:"closes_at,omitempty"`
	Description string `json:"description,omitempty"`
	// A course's dated sessions (package course) fill these too.
	Bymonthday string `json:"bymonthday,omitempty"`
	Count      Number `json:"count,omitempty"`
	Until      string `json:"until,omitempty"`
	Wkst       string `json:"wkst,omitempty"`
	Dtstart    string `json:"dtstart,omitempty"`
	ValidFrom  string `json:"valid_from,omitempty"`
	ValidTo    string `json:"valid_to,omitempty"`
	Timezone   Number `json:"timezone,omitempty"`
}

// HSDSLanguage is a language a service is offered in.
type HSDSLanguage struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Code string `json:"code,omitempty"`
}

// HSDSCostOption is one price of a service.
type HSDSCostOption struct {
	ID                string `json:"id"`
	Option            string `json:"option,omitempty"`
	Currency          string `json:"currency,omitempty"`
	Amount            Number `json:"amount,omitempty"`
	AmountDescription string `json:"amount_description,omitempty"`
}

// HSDSAttribute tags a service with a taxonomy term, and a value where the
// term names a detail rather than a kind (see ServiceDetailTerm).
type HSDSAttribute struct {
	ID             string            `json:"id"`
	LinkID         string            `json:"link_id,omitempty"`
	TaxonomyTermID string            `json:"taxonomy_term_id,omitempty"`
	LinkEntity     string            `json:"link_entity,omitempty"`
	Value          string            `json:"value,omitempty"`
	TaxonomyTerm   *HSDSTaxonomyTerm `json:"taxonomy_term,omitempty"`
}

// HSDSTaxonomyTerm is a term of a taxonomy.
type HSDSTaxonomyTerm struct {
	ID             string        `json:"id"`
	Code           string        `json:"code,omitempty"`
	Name           string        `json:"name"`
	Description    string        `json:"description"`
	Taxonomy       string        `json:"taxonomy,omitempty"`
	TaxonomyID     string        `json:"taxonomy_id,omitempty"`
	TaxonomyDetail *HSDSTaxonomy `json:"taxonomy_detail,omitempty"`
	Language       string        `json:"language,omitempty"`
}

// HSDSTaxonomy is a vocabulary of terms.
type HSDSTaxonomy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Version     string `json:"version,omitempty"`
}

// Number is a JSON number kept as the text it was written in, so prices
// convert to pence exactly. It also reads numbers written as strings
// ("12"), which some feeds send.
type Number string

// UnmarshalJSON accepts a number, a string holding a number, or null.
func (n *Number) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*n = ""
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var text string
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
		s = strings.TrimSpace(text)
		if s == "" {
			*n = ""
			return nil
		}
	}
	if !json.Valid([]byte(s)) || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return fmt.Errorf("%q is not a number", truncate(s, 20))
	}
	*n = Number(s)
	return nil
}

// MarshalJSON writes the number as it was given.
func (n Number) MarshalJSON() ([]byte, error) {
	if n == "" {
		return []byte("null"), nil
	}
	return []byte(n), nil
}

// Float is the number's value.
func (n Number) Float() (float64, bool) {
	if n == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	return f, err == nil
}

func intNumber(v *int) Number {
	if v == nil {
		return ""
	}
	return Number(strconv.Itoa(*v))
}

func floatNumber(v *float64) Number {
	if v == nil {
		return ""
	}
	return Number(strconv.FormatFloat(*v, 'f', -1, 64))
}

// penceToPounds writes pence as an exact decimal amount of pounds.
func penceToPounds(p int64) Number {
	if p%100 == 0 {
		return Number(strconv.FormatInt(p/100, 10))
	}
	return Number(fmt.Sprintf("%d.%02d", p/100, p%100))
}

// OrgRecord is an organisation as the directory publishes it.
type OrgRecord struct {
	ID, Name, Description, Website, Email string
	Source, SourceID                      string
}

// HSDSID is the id Oikos publishes for the organisation.
func (o OrgRecord) HSDSID() string {
	return sourceOrDerived(kindOrganisation, o.ID, o.Source, o.SourceID)
}

// publishableURL keeps a web address only if the schema's "uri" format
// accepts it; imported organisations may hold bare "www.…" addresses.
func publishableURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return ""
	}
	return s
}

func publishableEmail(s string) string {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return ""
	}
	return s
}

// HSDS is the organisation's one-to-one fields.
func (o OrgRecord) HSDS() HSDSOrganization {
	return HSDSOrganization{ID: o.HSDSID(), Name: o.Name, Description: o.Description,
		Email: publishableEmail(o.Email), Website: publishableURL(o.Website)}
}

// hsdsStatus maps Oikos's status to HSDS's: a closed service may reopen,
// which HSDS calls inactive rather than defunct.
func hsdsStatus(status string) string {
	if status == "active" {
		return "active"
	}
	return "inactive"
}

// HSDSCore is the service's one-to-one fields, as list pages carry them.
func (v Service) HSDSCore(o OrgRecord) HSDSService {
	core := o.HSDS()
	h := HSDSService{
		ID: v.HSDSID(), OrganizationID: core.ID, Name: v.Name, Description: v.Description,
		URL: publishableURL(v.URL), Email: publishableEmail(v.Email), Status: hsdsStatus(v.Status),
		FeesDescription: v.FeesNote, EligibilityDescription: v.Eligibility,
		MinimumAge: intNumber(v.MinAge), MaximumAge: intNumber(v.MaxAge),
		AssuredDate:  v.LastCheckedAt.UTC().Format(time.DateOnly),
		LastModified: v.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		Organization: &core,
	}
	return h
}

// HSDSFull is the service with everything nested, as /services/{id} gives it.
func (v Service) HSDSFull(o OrgRecord) HSDSService {
	h := v.HSDSCore(o)
	if v.Phone != "" {
		h.Phones = []HSDSPhone{{ID: nameUUID("phone", v.ID), Number: v.Phone}}
	}
	h.Schedules = v.hsdsSchedules()
	if sal, ok := v.hsdsServiceAtLocation(); ok {
		h.ServiceAtLocations = []HSDSServiceAtLocation{sal}
	}
	for _, name := range v.Languages {
		h.Languages = append(h.Languages, HSDSLanguage{ID: nameUUID("language", v.ID, name), Name: name})
	}
	if v.CostPence != nil {
		c := HSDSCostOption{ID: nameUUID("cost", v.ID), Currency: "GBP", Amount: penceToPounds(*v.CostPence)}
		if *v.CostPence == 0 {
			c.Option = "Free"
		}
		h.CostOptions = []HSDSCostOption{c}
	}
	h.Attributes = v.hsdsAttributes(h.ID)
	return h
}

// HasLocation reports whether the service meets somewhere Oikos knows.
func (v Service) HasLocation() bool {
	return v.LocationName != "" || v.Address != "" || v.Postcode != "" || v.Latitude != nil
}

// HSDSLocation is the service's place, if it has one.
func (v Service) hsdsLocation() HSDSLocation {
	loc := HSDSLocation{ID: v.HSDSLocationID(), LocationType: "physical", Name: v.LocationName,
		Latitude: floatNumber(v.Latitude), Longitude: floatNumber(v.Longitude)}
	if v.Latitude == nil || v.Longitude == nil {
		loc.Latitude, loc.Longitude = "", ""
	}
	if v.Address != "" || v.Postcode != "" {
		a := splitAddress(v.Address)
		a.ID, a.PostalCode, a.Country, a.AddressType = nameUUID("address", v.ID), v.Postcode, "GB", "physical"
		loc.Addresses = []HSDSAddress{a}
	}
	for _, text := range v.Accessibility {
		loc.Accessibility = append(loc.Accessibility, HSDSAccessibility{ID: nameUUID("accessibility", v.ID, text), Description: text})
	}
	return loc
}

// splitAddress turns Oikos's one-line address ("Belmont Park, Exeter") into
// HSDS lines: the first part, any middle parts, and the last as the town.
func splitAddress(line string) HSDSAddress {
	var parts []string
	for _, p := range strings.Split(line, ",") {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	switch len(parts) {
	case 0:
		return HSDSAddress{}
	case 1:
		return HSDSAddress{Address1: parts[0]}
	}
	return HSDSAddress{Address1: parts[0], Address2: strings.Join(parts[1:len(parts)-1], ", "), City: parts[len(parts)-1]}
}

func (v Service) hsdsServiceAtLocation() (HSDSServiceAtLocation, bool) {
	if !v.HasLocation() {
		return HSDSServiceAtLocation{}, false
	}
	loc := v.hsdsLocation()
	return HSDSServiceAtLocation{ID: v.HSDSServiceAtLocationID(), ServiceID: v.HSDSID(), LocationID: loc.ID,
		Schedules: v.hsdsSchedules(), Location: &loc}, true
}

// HSDSServiceAtLocationList is the flat form of the service at its place,
// for /service_at_locations pages; ok is false if it has no place.
func (v Service) HSDSServiceAtLocationList(o OrgRecord) (HSDSServiceAtLocation, bool) {
	if !v.HasLocation() {
		return HSDSServiceAtLocation{}, false
	}
	full := v.hsdsLocation()
	loc := HSDSLocation{ID: full.ID, LocationType: full.LocationType, Name: full.Name, Latitude: full.Latitude, Longitude: full.Longitude}
	core := v.HSDSCore(o)
	return HSDSServiceAtLocation{ID: v.HSDSServiceAtLocationID(), ServiceID: core.ID, LocationID: loc.ID,
		Location: &loc, Service: &core}, true
}

// HSDSServiceAtLocationFull is the service at its place with everything
// nested, for /service_at_locations/{id}.
func (v Service) HSDSServiceAtLocationFull(o OrgRecord) (HSDSServiceAtLocation, bool) {
	sal, ok := v.hsdsServiceAtLocation()
	if !ok {
		return sal, false
	}
	svc := v.HSDSFull(o)
	svc.ServiceAtLocations = nil
	sal.Name, sal.Status, sal.Phones, sal.Service = svc.Name, svc.Status, svc.Phones, &svc
	return sal, true
}

var icalDays = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// hsdsSchedules groups the weekly sessions back into HSDS schedules: the
// sessions one imported schedule became share its id again, and Oikos's own
// sessions at the same times share one schedule.
func (v Service) hsdsSchedules() []HSDSSchedule {
	type group struct {
		key, sourceID, opens, closes string
		days                         []int
	}
	var groups []*group
	for i, s := range v.Schedule {
		sourceID := ""
		if i < len(v.ScheduleIDs) {
			sourceID = v.ScheduleIDs[i]
		}
		key := sourceID + "\x00" + s.Opens + "\x00" + s.Closes
		j := slices.IndexFunc(groups, func(g *group) bool { return g.key == key })
		if j < 0 {
			groups = append(groups, &group{key: key, sourceID: sourceID, opens: s.Opens, closes: s.Closes})
			j = len(groups) - 1
		}
		if d := DayNumber(s.Day); d > 0 && !slices.Contains(groups[j].days, d) {
			groups[j].days = append(groups[j].days, d)
		}
	}
	var out []HSDSSchedule
	used := map[string]bool{}
	for _, g := range groups {
		slices.Sort(g.days)
		var codes, names []string
		for _, d := range g.days {
			codes = append(codes, icalDays[d-1])
			names = append(names, DayLabel(d))
		}
		id := nameUUID("schedule", v.ID, g.opens, g.closes)
		if IsUUID(g.sourceID) && !used[strings.ToLower(g.sourceID)] {
			id = strings.ToLower(g.sourceID)
		}
		used[id] = true
		out = append(out, HSDSSchedule{ID: id, Freq: "WEEKLY", Interval: "1", Byday: strings.Join(codes, ","),
			OpensAt: g.opens, ClosesAt: g.closes,
			Description: fmt.Sprintf("Every %s, %s to %s (UK time).", joinWithAnd(names), g.opens, g.closes)})
	}
	if sched, ok := v.courseSchedule(); ok {
		out = append(out, sched)
	}
	return out
}

// courseSchedule is a course's dated sessions as an HSDS schedule: its
// RFC 5545 rule in the schedule's own fields. HSDS knows only weekly and
// monthly rules, so a daily course is published as every day of the week
// when it runs every day, and by its description alone otherwise.
func (v Service) courseSchedule() (HSDSSchedule, bool) {
	if v.Course == nil {
		return HSDSSchedule{}, false
	}
	c, ok := v.Course.HSDS()
	if !ok {
		return HSDSSchedule{}, false
	}
	num := func(n int) Number {
		if n == 0 {
			return ""
		}
		return Number(strconv.Itoa(n))
	}
	h := HSDSSchedule{ID: nameUUID("schedule", v.ID, "course"), Freq: c.Freq, Interval: num(c.Interval), Byday: c.Byday,
		Bymonthday: c.Bymonthday, Count: num(c.Count), Until: c.Until, Wkst: c.Wkst, Dtstart: c.Dtstart, ValidFrom: c.ValidFrom,
		ValidTo: c.ValidTo, OpensAt: c.OpensAt, ClosesAt: c.ClosesAt, Timezone: Number(strconv.Itoa(c.Timezone)),
		Description: fmt.Sprintf("A course from %s, %s to %s (UK time).", c.Dtstart, c.OpensAt, c.ClosesAt)}
	if c.Freq == "WEEKLY" && c.Byday == "" {
		// A weekly rule without days repeats on its first day's weekday:
		// said, for readers that go by byday.
		if d, err := time.Parse(time.DateOnly, c.Dtstart); err == nil {
			h.Byday = icalDays[(int(d.Weekday())+6)%7]
		}
	}
	if c.Freq == "DAILY" {
		h.Freq, h.Interval, h.Byday = "", "", ""
		if c.Interval <= 1 && c.Byday == "" {
			h.Freq, h.Byday = "WEEKLY", strings.Join(icalDays, ",")
		}
	}
	return h, true
}

func joinWithAnd(list []string) string {
	if len(list) < 2 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

// Oikos's own taxonomy, published with UUIDs derived from its fixed codes
// so that they are the same in every Oikos.
var (
	oikosTaxonomyUUID = nameUUID("taxonomy", taxonomy.TaxonomyID)
	oikosTaxonomy     = HSDSTaxonomy{ID: oikosTaxonomyUUID, Name: taxonomy.TaxonomyName, Version: "1",
		Description: "The kinds of community service Oikos lists for social prescribing: groups, classes, activities and advice."}
)

// OikosTaxonomy is the category vocabulary as an HSDS taxonomy.
func OikosTaxonomy() HSDSTaxonomy { return oikosTaxonomy }

// IsOikosTaxonomy reports whether id names Oikos's category taxonomy, by
// its published UUID or its plain id.
func IsOikosTaxonomy(id string) bool {
	return strings.EqualFold(id, oikosTaxonomyUUID) || id == taxonomy.TaxonomyID
}

func categoryTermUUID(code string) string {
	return nameUUID("taxonomy_term", taxonomy.TaxonomyID, code)
}

// CategoryTerm is an Oikos category as an HSDS taxonomy term.
func CategoryTerm(c taxonomy.Category) HSDSTaxonomyTerm {
	detail := oikosTaxonomy
	return HSDSTaxonomyTerm{ID: categoryTermUUID(c.Code), Code: c.Code, Name: c.Label, Description: c.Description,
		Taxonomy: taxonomy.TaxonomyName, TaxonomyID: oikosTaxonomyUUID, TaxonomyDetail: &detail, Language: "en"}
}

// Oikos keeps four things about a service that HSDS 3.0 has no field for:
// whether the people who use it run it, when it started, how many places
// it has free, and whether it is for women or men only. A document carries them as attributes, which is how
// HSDS is extended: the attribute's term, of Oikos's "service details"
// taxonomy, names the detail and its value holds it ("2019-04-01", "12";
// citizen-led needs no value).
const (
	DetailCitizenLed = "citizen_led"
	DetailStartedOn  = "started_on"
	DetailCapacity   = "capacity"
	DetailForSex     = "for_sex"
)

const detailsTaxonomyID = "oikos-service-details"

var (
	detailsTaxonomy = HSDSTaxonomy{ID: nameUUID("taxonomy", detailsTaxonomyID), Name: "Oikos service details", Version: "1",
		Description: "Details of a community service that HSDS has no field for, each an attribute whose value holds it."}
	serviceDetails = map[string][2]string{
		DetailCitizenLed: {"Citizen-led", "Run by the people who take part in it, not by paid staff."},
		DetailStartedOn:  {"Started on", "The date the service began, as YYYY-MM-DD."},
		DetailCapacity:   {"Places free", "How many places the service has free, a whole number; 0 when it is full."},
		DetailForSex:     {"For women or men only", "female for a service for women only, male for one for men only; any, or no attribute, for anyone."},
	}
)

// ServiceDetailTerm is the taxonomy term of one service detail (DetailCitizenLed,
// DetailStartedOn, DetailCapacity or DetailForSex); ok is false for any
// other code.
func ServiceDetailTerm(code string) (term HSDSTaxonomyTerm, ok bool) {
	d, ok := serviceDetails[code]
	if !ok {
		return term, false
	}
	return HSDSTaxonomyTerm{ID: nameUUID("taxonomy_term", detailsTaxonomyID, code), Code: code, Name: d[0], Description: d[1],
		Taxonomy: detailsTaxonomy.Name, TaxonomyID: detailsTaxonomy.ID, Language: "en"}, true
}

// serviceDetailCode is the code of a term of Oikos's service details
// taxonomy, known by the taxonomy's id or name; ok is false for a term of
// any other taxonomy.
func serviceDetailCode(t HSDSTaxonomyTerm) (code string, ok bool) {
	taxID, name := t.TaxonomyID, t.Taxonomy
	if t.TaxonomyDetail != nil {
		taxID, name = cmp.Or(taxID, t.TaxonomyDetail.ID), cmp.Or(name, t.TaxonomyDetail.Name)
	}
	if !strings.EqualFold(taxID, detailsTaxonomy.ID) && taxID != detailsTaxonomyID && name != detailsTaxonomy.Name {
		return "", false
	}
	return strings.TrimSpace(t.Code), true
}

// CategoryForTermID finds the Oikos category a term id names, by its
// published UUID or its code.
func CategoryForTermID(id string) (taxonomy.Category, bool) {
	if c, ok := taxonomy.CategoryByCode(id); ok {
		return c, true
	}
	for _, c := range taxonomy.Categories {
		if strings.EqualFold(id, categoryTermUUID(c.Code)) {
			return c, true
		}
	}
	return taxonomy.Category{}, false
}

// HSDSTermID is the id an imported term is published with: its own UUID if
// it had one, else one derived from what it holds.
func (t Term) HSDSTermID() string {
	if IsUUID(t.TermID) {
		return strings.ToLower(t.TermID)
	}
	if t.TermID != "" {
		return nameUUID("imported_term", t.Taxonomy, t.TermID)
	}
	return nameUUID("imported_term", t.Taxonomy, "", t.Code, t.Name)
}

// importedTaxonomyUUID is the id of another directory's taxonomy, known to
// Oikos only by the name (or id) its terms carried.
func importedTaxonomyUUID(name string) string {
	if IsUUID(name) {
		return strings.ToLower(name)
	}
	return nameUUID("imported_taxonomy", name)
}

// ImportedTaxonomy is the HSDS taxonomy an imported term belongs to.
func ImportedTaxonomy(name string) HSDSTaxonomy {
	return HSDSTaxonomy{ID: importedTaxonomyUUID(name), Name: name,
		Description: "Terms of the " + name + " taxonomy, kept from services imported into Oikos."}
}

// HSDS is the imported term as published.
func (t Term) HSDS() HSDSTaxonomyTerm {
	name := t.Name
	for _, alt := range []string{t.Code, t.TermID} {
		if name == "" {
			name = alt
		}
	}
	h := HSDSTaxonomyTerm{ID: t.HSDSTermID(), Code: t.Code, Name: name, Description: name}
	if t.Taxonomy != "" {
		detail := ImportedTaxonomy(t.Taxonomy)
		h.TaxonomyID, h.TaxonomyDetail = detail.ID, &detail
		if !IsUUID(t.Taxonomy) {
			h.Taxonomy = t.Taxonomy
		}
	}
	return h
}

// hsdsAttributes tags the service with its Oikos categories and with the
// terms it was imported with.
func (v Service) hsdsAttributes(serviceID string) []HSDSAttribute {
	var out []HSDSAttribute
	seen := map[string]bool{}
	add := func(term HSDSTaxonomyTerm) {
		if seen[term.ID] {
			return
		}
		seen[term.ID] = true
		out = append(out, HSDSAttribute{ID: nameUUID("attribute", v.ID, term.ID), LinkID: serviceID,
			LinkEntity: "service", TaxonomyTermID: term.ID, TaxonomyTerm: &term})
	}
	for _, code := range v.Categories {
		if c, ok := taxonomy.CategoryByCode(code); ok {
			add(CategoryTerm(c))
		}
	}
	for _, t := range v.Terms {
		add(t.HSDS())
	}
	return out
}
