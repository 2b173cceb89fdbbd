package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/org"
)

// The demo directory: invented community organisations and services across
// Exeter and Devon, so that search, maps, referrals and reports have
// something believable to show. Every name, venue, phone number and address
// here is made up; phone numbers are from Ofcom's ranges kept for drama, and
// web and email addresses use example.org.

// demoSource marks the demo's organisations and services, so that loading
// them again updates rather than duplicates them.
const demoSource = "oikos-demo"

// demoOrg is an invented organisation. Its services take its web address,
// email and phone unless they give their own.
type demoOrg struct {
	id, name, about   string
	web, email, phone string
}

// demoVenue is a place services meet. street includes the town. access is
// a space-separated list of demoAccess keys that services there inherit.
type demoVenue struct {
	name, street, postcode, access string
}

// demoService is one service, kept compact:
//
//	cats   space-separated category codes
//	at     a demoVenues key
//	when   weekly sessions, "mon 10:00-12:00, thu 19:00-21:00"; "" for none
//	cost   "free", "£3", "£4.50", or "" when not known
//	places places free: "12", "full", or "" when not known
//	access demoAccess keys, replacing the venue's when set
//	langs  comma-separated languages
//	ages   "55-", "16-25", "-18", or ""
//	sex    "female" or "male" for a group for women or men only; "" for anyone
//	stale  months since someone last checked it; 0 means checked now
type demoService struct {
	org, id, name, cats, at, when string
	cost, fees, places            string
	led                           bool
	since, access, langs, who     string
	ages, sex                     string
	stale                         int
	phone, email, url             string
	desc                          string
}

var demoAccess = map[string]string{
	"sf":      "Step-free access",
	"wc":      "Accessible toilet",
	"loop":    "Hearing loop",
	"park":    "Parking nearby",
	"bb":      "Blue Badge parking",
	"lp":      "Large print materials",
	"bus":     "On a bus route",
	"lift":    "Lift to all floors",
	"quiet":   "Quiet room available",
	"hoist":   "Pool hoist",
	"terrain": "Uneven ground, slopes or stiles in places",
	"bench":   "Benches along the route",
	"seat":    "Seating available throughout",
	"dog":     "Assistance dogs welcome",
	"bsl":     "BSL interpreter on request",
	"stairs":  "First-floor room reached by stairs (no lift)",
	"cp":      "Changing Places toilet",
	"phone":   "By phone: no need to travel",
}

var demoDays = map[string]string{"mon": "monday", "tue": "tuesday", "wed": "wednesday", "thu": "thursday",
	"fri": "friday", "sat": "saturday", "sun": "sunday"}

// pence reads "£4.50" as 450, "free" as 0 and "" as not known.
func demoPence(cost string) (*int64, error) {
	switch cost {
	case "":
		return nil, nil
	case "free":
		zero := int64(0)
		return &zero, nil
	}
	pounds, pennies, _ := strings.Cut(strings.TrimPrefix(cost, "£"), ".")
	p, err := strconv.ParseInt(pounds, 10, 64)
	if err != nil || !strings.HasPrefix(cost, "£") || (pennies != "" && len(pennies) != 2) {
		return nil, fmt.Errorf("cost %q is not like £4.50", cost)
	}
	p *= 100
	if pennies != "" {
		n, err := strconv.ParseInt(pennies, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("cost %q is not like £4.50", cost)
		}
		p += n
	}
	return &p, nil
}

func demoInt(s string) (*int, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a number", s)
	}
	return &n, nil
}

// input turns a demo service into the directory's Input.
func (s demoService) input(orgID string, o demoOrg) (directory.Input, error) {
	v, ok := demoVenues[s.at]
	if !ok {
		return directory.Input{}, fmt.Errorf("unknown venue %q", s.at)
	}
	in := directory.Input{
		OrganisationID: orgID, Name: s.name, Description: s.desc, Categories: strings.Fields(s.cats),
		Postcode: v.postcode, Address: v.name + ", " + v.street, LocationName: v.name, FeesNote: s.fees,
		CitizenLed: s.led, StartedOn: s.since, URL: o.web, Email: o.email, Phone: o.phone, Eligibility: s.who,
		Schedule: []directory.Session{}, ForSex: s.sex,
	}
	if s.url != "" {
		in.URL = s.url
	}
	if s.email != "" {
		in.Email = s.email
	}
	if s.phone != "" {
		in.Phone = s.phone
	}
	if s.when != "" {
		for _, part := range strings.Split(s.when, ",") {
			day, times, _ := strings.Cut(strings.TrimSpace(part), " ")
			opens, closes, _ := strings.Cut(times, "-")
			if demoDays[day] == "" {
				return in, fmt.Errorf("bad day in %q", s.when)
			}
			in.Schedule = append(in.Schedule, directory.Session{Day: demoDays[day], Opens: opens, Closes: closes})
		}
	}
	access := s.access
	if access == "" {
		access = v.access
	}
	for _, key := range strings.Fields(access) {
		note, ok := demoAccess[key]
		if !ok {
			return in, fmt.Errorf("unknown access key %q", key)
		}
		in.Accessibility = append(in.Accessibility, note)
	}
	for _, l := range strings.Split(s.langs, ",") {
		if l = strings.TrimSpace(l); l != "" {
			in.Languages = append(in.Languages, l)
		}
	}
	var err error
	if in.CostPence, err = demoPence(s.cost); err != nil {
		return in, err
	}
	places := s.places
	if places == "full" {
		places = "0"
	}
	if in.Capacity, err = demoInt(places); err != nil {
		return in, err
	}
	if s.ages != "" {
		lo, hi, ok := strings.Cut(s.ages, "-")
		if !ok {
			return in, fmt.Errorf("ages %q is not like 16-25", s.ages)
		}
		if in.MinAge, err = demoInt(lo); err != nil {
			return in, err
		}
		if in.MaxAge, err = demoInt(hi); err != nil {
			return in, err
		}
	}
	return in, nil
}

// loadDemoDirectory creates or updates the demo organisations and services.
// Running it again changes nothing but the timestamps.
func loadDemoDirectory(ctx context.Context, d *db.DB, out io.Writer) error {
	orgs := &org.Store{DB: d}
	services := directory.NewStore(d)
	orgIDs := map[string]string{}
	for _, o := range demoDirectoryOrgs {
		id, _, err := orgs.Import(ctx, org.Actor{UserID: "system", Client: "demo"}, org.Imported{
			Source: demoSource, SourceID: o.id, Name: o.name, Description: o.about, Website: o.web, Email: o.email})
		if err != nil {
			return fmt.Errorf("demo organisation %s: %w", o.id, err)
		}
		orgIDs[o.id] = id
	}
	byID := map[string]demoOrg{}
	for _, o := range demoDirectoryOrgs {
		byID[o.id] = o
	}
	by := directory.Actor{UserID: "system", Client: "demo"}
	now := time.Now()
	for _, s := range demoDirectoryServices {
		o, ok := byID[s.org]
		if !ok {
			return fmt.Errorf("demo service %s: unknown organisation %q", s.id, s.org)
		}
		in, err := s.input(orgIDs[s.org], o)
		if err != nil {
			return fmt.Errorf("demo service %s: %w", s.id, err)
		}
		if _, _, err := services.Upsert(ctx, by, directory.Imported{Input: in, Source: demoSource, SourceID: s.id}); err != nil {
			return fmt.Errorf("demo service %s: %w", s.id, err)
		}
		if s.stale > 0 {
			// Upsert stamps a new service as checked now; these few are
			// set back so the list of services needing a check has some.
			checked := db.Millis(now.AddDate(0, -s.stale, 0))
			if _, err := d.Exec(ctx, "UPDATE services SET last_checked_at = $1 WHERE source = $2 AND source_id = $3",
				checked, demoSource, s.id); err != nil {
				return fmt.Errorf("demo service %s: %w", s.id, err)
			}
		}
	}
	fmt.Fprintf(out, "Directory: %d services from %d organisations.\n", len(demoDirectoryServices), len(demoDirectoryOrgs))
	return nil
}

var demoDirectoryOrgs = []demoOrg{
	{"exe-valley-walkers", "Exe Valley Walkers", "A volunteer-run group leading short, friendly walks around Exeter and the Exe estuary for people of all abilities.",
		"https://example.org/exe-valley-walkers", "walks@example.org", "07700 900112"},
	{"devon-money-advice", "Devon Money Advice Service", "An independent charity giving free, confidential and impartial advice on debt, benefits, bills and renting, with offices in Exeter, Newton Abbot and Barnstaple.",
		"https://example.org/devon-money-advice", "advice@example.org", "0808 157 0101"},
	{"devon-libraries", "Devon Community Libraries", "A network of community-run and council-supported libraries with free computers, reading groups, home delivery and help getting online.",
		"https://example.org/devon-libraries", "libraries@example.org", "01632 960100"},
	{"devon-food-network", "Devon Community Food Network", "Food banks, community larders and cooking courses across Devon, run by volunteers with local churches, shops and growers.",
		"https://example.org/devon-food-network", "food@example.org", "01632 960120"},
	{"open-door-minds", "Open Door Minds Devon", "A mental health charity offering peer support groups, wellbeing courses and an evening drop-in for adults in Devon.",
		"https://example.org/open-door-minds", "hello@example.org", "01632 960130"},
	{"devon-carers-together", "Devon Carers Together", "Information, breaks, groups and a freephone line for unpaid carers of any age who look after a family member or friend.",
		"https://example.org/devon-carers-together", "carers@example.org", "0808 157 0222"},
	{"memory-lane-devon", "Memory Lane Devon", "Memory cafés, singing sessions and a dementia advice line for people living with dementia and the people who care for them.",
		"https://example.org/memory-lane-devon", "cafes@example.org", "01632 960150"},
	{"exeter-mens-shed", "Exeter Men's Shed", "A community workshop in Marsh Barton where people share skills, make and mend things, and look out for each other.",
		"https://example.org/exeter-mens-shed", "shed@example.org", "07700 900131"},
	{"tiverton-mens-shed", "Tiverton Men's Shed", "A members-run workshop and social space for anyone who likes making, mending or a chat over a brew.",
		"", "tivertonshed@example.org", "07700 900132"},
	{"torridge-mens-shed", "Torridge Men's Shed", "A community workshop in Bideford for woodwork, metalwork and repairs, run by its members.",
		"", "torridgeshed@example.org", "07700 900133"},
	{"newtown-community-association", "Newtown Community Association", "A neighbourhood association running the Newtown Community Rooms in Exeter, with lunches, classes and groups through the week.",
		"https://example.org/newtown-community", "rooms@example.org", "01632 960160"},
	{"exeter-active-leisure", "Exeter Active Leisure", "The city's public leisure service, running pools, sports halls and classes for all ages and abilities.",
		"https://example.org/exeter-active-leisure", "active@example.org", "01632 960170"},
	{"teign-active", "Teign Active", "A not-for-profit leisure trust running the leisure centre in Newton Abbot and activity sessions in Teignmouth and Dawlish.",
		"https://example.org/teign-active", "info@example.org", "01632 960180"},
	{"torbay-active-communities", "Torbay Active Communities", "A community sport and activity partnership helping people in Torquay, Paignton and Brixham to move more.",
		"https://example.org/torbay-active", "move@example.org", "01632 960190"},
	{"beacon-lane-allotments", "Beacon Lane Allotment Project", "A volunteer-run allotment site in north Exeter with a shared community plot and starter plots for beginners.",
		"https://example.org/beacon-lane-allotments", "plots@example.org", "07700 900141"},
	{"grow-together-devon", "Grow Together Devon", "A charity using gardening and time outdoors to support people's mental and physical health, with gardens in Exeter, Totnes and Barnstaple.",
		"https://example.org/grow-together-devon", "grow@example.org", "01632 960200"},
	{"redbrick-studios", "Redbrick Art Studios", "A shared art studio by Exeter's canal basin offering open studio sessions, courses and arts for wellbeing.",
		"https://example.org/redbrick-studios", "studio@example.org", "01632 960210"},
	{"exeter-later-life-learners", "Exeter Later Life Learners", "A members-run learning co-operative for people no longer in full-time work: members share what they know through interest groups.",
		"https://example.org/later-life-learners", "learners@example.org", "07700 900151"},
	{"sid-valley-third-age", "Sid Valley Third Age Learners", "A self-help learning group for retired and semi-retired people in Sidmouth and the Sid Valley.",
		"https://example.org/sid-valley-learners", "sidvalley@example.org", "07700 900152"},
	{"devon-befriending-circle", "Devon Befriending Circle", "Trained volunteers who phone or visit people who are lonely or isolated, across Exeter, East Devon and Mid Devon.",
		"https://example.org/befriending-circle", "friends@example.org", "01632 960220"},
	{"quiet-harbour", "Quiet Harbour Bereavement Support", "Free bereavement support for adults in Devon: drop-ins, one-to-one support and groups, whenever and however someone died.",
		"https://example.org/quiet-harbour", "support@example.org", "01632 960230"},
	{"crediton-community-choir", "Crediton Community Choir", "A friendly, non-auditioned choir for anyone who loves to sing, whether or not they read music.",
		"https://example.org/crediton-choir", "sing@example.org", "07700 900161"},
	{"tiverton-community-hub", "Tiverton Community Hub", "A community building on Fore Street hosting lunches, advice, a food bank and drop-ins, with volunteers at the heart of it.",
		"https://example.org/tiverton-hub", "hub@example.org", "01632 960240"},
	{"pathways-to-work", "Pathways to Work Devon", "Free, friendly support for adults who want to find work, change jobs or get back into work after time away.",
		"https://example.org/pathways-to-work", "jobs@example.org", "01632 960250"},
	{"devon-adult-learning", "Devon Adult Learning", "Adult education courses across Devon, from English and maths to creative and practical skills, many free or with discounts.",
		"https://example.org/devon-adult-learning", "courses@example.org", "01632 960260"},
	{"exeter-welcome-project", "Exeter Welcome Project", "A drop-in centre for refugees, asylum seekers and other newcomers to Exeter, with advice, English practice and friendship.",
		"https://example.org/exeter-welcome", "welcome@example.org", "01632 960270"},
	{"holy-trinity-fellowship", "Holy Trinity Fellowship, Pinhoe Road", "A friendly church in east Exeter with an open building, shared lunches and courses open to people of any faith or none.",
		"https://example.org/holy-trinity-pinhoe-road", "office@example.org", "01632 960280"},
	{"al-noor-centre", "Al-Noor Community Centre", "A mosque and community centre in Exeter welcoming visitors, families and neighbours of every background.",
		"https://example.org/al-noor-centre", "salaam@example.org", "01632 960290"},
	{"home-safe-devon", "Home Safe Devon", "A housing advice charity helping people who are homeless, at risk of losing their home or living in poor conditions.",
		"https://example.org/home-safe-devon", "housing@example.org", "0808 157 0303"},
	{"dart-valley-ramblers", "Dart Valley Ramblers", "A volunteer walking group in Totnes leading walks along the river Dart, with a slower group for gentler walkers.",
		"", "dartwalks@example.org", "07700 900171"},
	{"north-devon-together", "North Devon Together", "A community charity based in Barnstaple running a café, lunch clubs and drop-ins across North Devon.",
		"https://example.org/north-devon-together", "together@example.org", "01632 960300"},
	{"moorside-community-centre", "Moorside Community Centre", "A community centre in Okehampton serving the town and the villages on the northern edge of Dartmoor.",
		"https://example.org/moorside-centre", "moorside@example.org", "01632 960310"},
	{"tavistock-tuesday-club", "Tavistock Tuesday Club", "A volunteer-run social club for older people in Tavistock, meeting every week since the 1990s.",
		"", "", "07700 900181"},
	{"eastside-community-trust", "Eastside Community Trust", "A community development trust working in east Plymouth, Plympton and Plymstock.",
		"https://example.org/eastside-trust", "eastside@example.org", "01632 960320"},
	{"honiton-community-hub", "Honiton Community Hub", "A community hub on Honiton High Street, also supporting groups in Axminster and Ottery St Mary.",
		"https://example.org/honiton-hub", "honitonhub@example.org", "01632 960330"},
	{"sidmouth-seaside-singers", "Sidmouth Seaside Singers", "A community choir and shanty group in Sidmouth and Budleigh Salterton, open to all.",
		"https://example.org/seaside-singers", "singers@example.org", "07700 900191"},
	{"dawlish-coast-volunteers", "Dawlish Coast Volunteers", "Volunteers caring for the beaches, dunes and wildlife of the Dawlish coast.",
		"https://example.org/dawlish-coast", "coast@example.org", "07700 900192"},
	{"harbour-arts-teignmouth", "Harbour Arts Teignmouth", "A community arts space on Teignmouth's back beach with drop-in sessions, music and a youth art club.",
		"https://example.org/harbour-arts", "arts@example.org", "01632 960340"},
	{"ivybridge-community-larder", "Ivybridge Community Larder", "A volunteer-run community larder and weekly soup lunch in Ivybridge town centre.",
		"", "larder@example.org", "07700 900201"},
	{"exmouth-community-kitchen", "Exmouth Community Kitchen", "A community kitchen in Exmouth cooking shared meals and teaching cooking skills.",
		"https://example.org/exmouth-kitchen", "kitchen@example.org", "01632 960350"},
	{"park-strollers-devon", "Park Strollers Devon", "Free, timed, volunteer-led 5k walks in Devon parks every Saturday morning.",
		"https://example.org/park-strollers", "strollers@example.org", ""},
	{"digital-buddies-devon", "Digital Buddies Devon", "Volunteers helping people get online, with tablets to borrow and drop-ins in towns and villages.",
		"https://example.org/digital-buddies", "buddies@example.org", "01632 960360"},
	{"devon-rural-lunch-clubs", "Devon Rural Lunch Clubs", "A network of village lunch clubs run by volunteers, bringing people together over a hot meal.",
		"https://example.org/rural-lunch-clubs", "lunch@example.org", "07700 900211"},
	{"devon-deaf-connect", "Devon Deaf Connect", "A centre and social hub for Deaf people, British Sign Language users and people with hearing loss.",
		"https://example.org/deaf-connect", "connect@example.org", "01632 960370"},
	{"living-well-with-pain", "Living Well with Pain Devon", "Peer support and gentle movement groups for people living with long-term pain.",
		"https://example.org/living-well-with-pain", "pain@example.org", "01632 960380"},
	{"exe-parkinsons-friends", "Exe Parkinson's Friends", "A self-help group for people with Parkinson's, their partners and families in and around Exeter.",
		"", "parkinsonsfriends@example.org", "07700 900221"},
	{"torbay-stroke-club", "Torbay Stroke Club", "A club for people who have had a stroke and their families, meeting in Torquay.",
		"https://example.org/torbay-stroke-club", "strokeclub@example.org", "01632 960390"},
	{"devon-volunteer-link", "Devon Volunteer Link", "A volunteer centre matching people with volunteering roles in local charities and community groups.",
		"https://example.org/volunteer-link", "volunteer@example.org", "01632 960400"},
	{"exmouth-sea-dippers", "Exmouth Sea Dippers", "An informal group that swims and dips in the sea at Exmouth all year round.",
		"", "dippers@example.org", "07700 900231"},
	{"exeter-youth-hub", "Exeter Youth Hub", "Support, advice and a safe space for young people aged 16 to 25 in Exeter.",
		"https://example.org/exeter-youth-hub", "youth@example.org", "01632 960410"},
	{"devon-interfaith-friends", "Devon Interfaith Friends", "People of different faiths and none meeting to share tea, walks and quiet reflection in towns across Devon.",
		"https://example.org/interfaith-friends", "interfaith@example.org", "07700 900241"},
}

// demoVenues are invented community venues; their postcodes are well
// formed and in real Devon districts, not real delivery points.
var demoVenues = map[string]demoVenue{
	// Exeter
	"exeter-library":   {"Exeter Central Library", "Castle Street, Exeter", "EX4 3PQ", "sf lift wc loop lp bus"},
	"newtown-rooms":    {"Newtown Community Rooms", "Belmont Road, Exeter", "EX1 2HF", "sf wc loop bus"},
	"heavitree-hall":   {"Fore Street Rooms", "Fore Street, Heavitree, Exeter", "EX1 2QJ", "sf wc loop park"},
	"stthomas-hall":    {"St Thomas Community Hall", "Cowick Street, Exeter", "EX4 1AS", "sf wc bus"},
	"exeter-quay":      {"Exeter Quay (meet by the Custom House steps)", "The Quay, Exeter", "EX2 4AN", "sf bench park bus"},
	"ludwell-park":     {"Ludwell Valley Park (meet at the Ludwell Lane gate)", "Ludwell Lane, Exeter", "EX2 5AQ", "terrain park"},
	"belmont-park":     {"Belmont Park (meet at the pavilion)", "Belmont Road, Exeter", "EX1 2HG", "sf wc bench bus"},
	"wonford-pool":     {"Wonford Pool and Fitness Centre", "Wonford Road, Exeter", "EX2 4UD", "sf wc hoist park bb cp"},
	"pinhoe-hall":      {"Pinhoe Village Hall", "Station Road, Pinhoe, Exeter", "EX1 3SA", "sf wc park"},
	"dmas-exeter":      {"Devon Money Advice Service", "Paris Street, Exeter", "EX1 2JB", "sf wc loop bus"},
	"odm-exeter":       {"Open Door Minds Wellbeing Centre", "Longbrook Street, Exeter", "EX4 6AH", "sf wc quiet"},
	"carers-exeter":    {"Carers' Centre", "Southernhay East, Exeter", "EX1 1QD", "sf wc loop"},
	"htf-hall":         {"Holy Trinity Fellowship Hall", "Pinhoe Road, Exeter", "EX4 8AD", "sf wc loop park"},
	"al-noor":          {"Al-Noor Community Centre", "Sidwell Street, Exeter", "EX4 6NN", "sf wc"},
	"ludwell-garden":   {"Ludwell Wellbeing Garden", "Ludwell Lane, Exeter", "EX2 5AJ", "terrain wc park"},
	"beacon-allotment": {"Beacon Lane Allotments", "Beacon Lane, Exeter", "EX4 8LZ", "terrain park"},
	"redbrick":         {"Redbrick Art Studios", "Haven Road, Exeter", "EX2 8DP", "sf wc park"},
	"ems-shed":         {"Exeter Men's Shed", "Alphin Brook Road, Marsh Barton, Exeter", "EX2 8RG", "sf park"},
	"ptw-exeter":       {"Pathways to Work Hub", "Queen Street, Exeter", "EX4 3SR", "sf lift wc bus"},
	"learning-exeter":  {"Exeter Adult Learning Centre", "Bartholomew Street West, Exeter", "EX4 3AJ", "sf lift wc loop"},
	"welcome-house":    {"Welcome House", "Blackboy Road, Exeter", "EX4 6SW", "sf wc"},
	"southernhay":      {"Southernhay Rooms", "Southernhay West, Exeter", "EX1 1JG", "sf wc loop lift"},
	"hsd-exeter":       {"Home Safe Devon Advice Centre", "Sidwell Street, Exeter", "EX4 6NB", "sf wc loop"},
	"food-exeter":      {"Exe Community Food Hub", "Clifton Hill, Exeter", "EX1 2DJ", "sf wc park"},
	"qh-rooms":         {"Quiet Harbour Rooms", "Magdalen Road, Exeter", "EX2 4TA", "sf wc quiet"},
	"deaf-centre":      {"Deaf Connect Centre", "Summerland Street, Exeter", "EX1 2AT", "sf wc loop bsl"},
	"dvl-exeter":       {"Devon Volunteer Link", "Fore Street, Exeter", "EX4 3AN", "stairs"},
	"youth-hub":        {"Exeter Youth Hub", "Bampfylde Street, Exeter", "EX1 2AH", "sf wc quiet"},
	"dbc-office":       {"Devon Befriending Circle office", "Heavitree Road, Exeter", "EX1 2LD", "phone"},
	"haldon-woods":     {"Haldon woodland car park (meet by the noticeboard)", "Haldon Hill, near Exeter", "EX6 7XR", "terrain park"},
	"topsham-hall":     {"Riverside Hall", "Ferry Road, Topsham", "EX3 0JH", "sf wc"},
	"cranbrook-hub":    {"Town Square Hub", "Market Square, Cranbrook", "EX5 7EE", "sf wc lift bus"},
	// East Devon
	"exmouth-library":  {"Exmouth Library", "Exeter Road, Exmouth", "EX8 1PW", "sf wc loop lp"},
	"exmouth-kitchen":  {"Exmouth Community Kitchen", "Chapel Street, Exmouth", "EX8 1HT", "sf wc"},
	"exmouth-seafront": {"Exmouth seafront (meet by the lifeboat station)", "Queen's Drive, Exmouth", "EX8 2AY", "park"},
	"budleigh-rooms":   {"Seaside Rooms", "Fore Street, Budleigh Salterton", "EX9 6NG", "sf wc"},
	"blackmore-rooms":  {"Blackmore Rooms", "Blackmore Drive, Sidmouth", "EX10 8LA", "sf wc loop park"},
	"honiton-hub":      {"Honiton Community Hub", "High Street, Honiton", "EX14 1PG", "sf wc loop"},
	"axminster-rooms":  {"Axe Valley Rooms", "Trinity Square, Axminster", "EX13 5AW", "sf wc"},
	"ottery-rooms":     {"Ottery Community Rooms and Garden", "Silver Street, Ottery St Mary", "EX11 1DB", "sf wc terrain"},
	// Mid Devon
	"crediton-rooms":   {"Crediton Parish Rooms", "High Street, Crediton", "EX17 3AH", "sf wc loop park"},
	"crediton-library": {"Crediton Library", "Union Road, Crediton", "EX17 3AL", "sf wc lp"},
	"tiverton-hub":     {"Tiverton Community Hub", "Fore Street, Tiverton", "EX16 6LD", "sf wc loop"},
	"tiverton-church":  {"Riverside Community Church Hall", "Bampton Street, Tiverton", "EX16 6AA", "sf wc park"},
	"tms-shed":         {"Tiverton Men's Shed", "Kennedy Way, Tiverton", "EX16 6RZ", "sf park"},
	"witheridge-rooms": {"Witheridge Church Rooms", "The Square, Witheridge", "EX16 8AE", "sf park"},
	"cullompton":       {"Cullompton Community Centre", "Station Road, Cullompton", "EX15 1BE", "sf wc park"},
	// Teignbridge and Torbay
	"na-library":      {"Newton Abbot Library", "Market Street, Newton Abbot", "TQ12 2RB", "sf lift wc lp loop"},
	"dmas-na":         {"Devon Money Advice Service", "Courtenay Street, Newton Abbot", "TQ12 2QL", "sf wc loop"},
	"na-hall":         {"Wolborough Street Chapel Hall", "Wolborough Street, Newton Abbot", "TQ12 1JR", "sf wc"},
	"teign-leisure":   {"Teign Active Leisure Centre", "Exeter Road, Newton Abbot", "TQ12 2NF", "sf wc hoist park bb"},
	"courtenay-park":  {"Courtenay Park (meet at the bandstand)", "Courtenay Park Road, Newton Abbot", "TQ12 2HD", "sf bench"},
	"forde-orchard":   {"Forde Community Orchard", "Forde Road, Newton Abbot", "TQ12 4AD", "terrain park"},
	"chudleigh-rooms": {"Chudleigh Community Rooms", "Market Way, Chudleigh", "TQ13 0HL", "sf wc park"},
	"moreton-rooms":   {"Moretonhampstead Church Rooms", "Cross Street, Moretonhampstead", "TQ13 8NL", "sf"},
	"den-rooms":       {"Den Rooms", "The Den, Teignmouth", "TQ14 8BE", "sf wc"},
	"harbour-arts":    {"Harbour Arts", "Quay Road, Teignmouth", "TQ14 8EL", "sf wc"},
	"dawlish-rooms":   {"Manor Rooms", "Old Town Street, Dawlish", "EX7 9AP", "sf wc"},
	"dawlish-warren":  {"Dawlish Warren (meet at the visitor centre)", "Warren Road, Dawlish Warren", "EX7 0NF", "terrain wc park"},
	"torquay-library": {"Torquay Library", "Lymington Road, Torquay", "TQ1 3DT", "sf lift wc loop lp"},
	"torre-hall":      {"Torre Community Hall", "Avenue Road, Torquay", "TQ2 5LF", "sf wc loop park"},
	"torquay-advice":  {"Union Street Advice Rooms", "Union Street, Torquay", "TQ1 3YN", "sf wc"},
	"paignton-centre": {"Paignton Community Centre", "Church Street, Paignton", "TQ3 3AQ", "sf wc loop"},
	"preston-green":   {"Preston Green (meet by the beach huts)", "Marine Drive, Paignton", "TQ3 2NS", "sf bench park"},
	"clennon-pool":    {"Clennon Valley Pool", "Dartmouth Road, Paignton", "TQ4 6NS", "sf wc hoist park bb"},
	"brixham-chapel":  {"Harbour Chapel Rooms", "Middle Street, Brixham", "TQ5 8ER", "sf"},
	// South Hams and West Devon
	"totnes-garden":    {"Common Ground Garden", "Jubilee Road, Totnes", "TQ9 5BP", "terrain wc"},
	"totnes-plains":    {"The Plains (meet by the riverside benches)", "The Plains, Totnes", "TQ9 5DR", "bench park"},
	"totnes-civic":     {"Totnes Civic Rooms", "High Street, Totnes", "TQ9 5SF", "stairs"},
	"kingsbridge-hall": {"Quay Hall", "The Quay, Kingsbridge", "TQ7 1HH", "sf wc park"},
	"ivybridge-larder": {"Ivybridge Community Larder", "Fore Street, Ivybridge", "PL21 9AE", "sf"},
	"okehampton-lib":   {"Okehampton Library", "Market Street, Okehampton", "EX20 1HN", "sf wc lp"},
	"moorside":         {"Moorside Community Centre", "North Street, Okehampton", "EX20 1AR", "sf wc loop park"},
	"hatherleigh-hall": {"Hatherleigh Village Hall", "Market Street, Hatherleigh", "EX20 3JP", "sf wc park"},
	"tavistock-lib":    {"Tavistock Library", "The Quay, Tavistock", "PL19 0AT", "sf wc lp"},
	"bedford-rooms":    {"Bedford Square Rooms", "Bedford Square, Tavistock", "PL19 0AE", "sf wc loop"},
	// Plymouth edge
	"ridgeway-hall":   {"Ridgeway Community Hall", "Ridgeway, Plympton", "PL7 2AW", "sf wc park bus"},
	"plymstock-rooms": {"Broadway Rooms", "The Broadway, Plymstock", "PL9 7AF", "sf wc park"},
	"eastside":        {"Eastside Community Centre", "Embankment Road, Plymouth", "PL4 9HY", "sf wc loop bus"},
	// North Devon and Torridge
	"ndt-hub":          {"North Devon Together Hub", "Boutport Street, Barnstaple", "EX31 1SY", "sf wc loop"},
	"barnstaple-lib":   {"Barnstaple Library", "Tuly Street, Barnstaple", "EX31 1EL", "sf lift wc lp loop"},
	"dmas-barnstaple":  {"Devon Money Advice Service", "Bear Street, Barnstaple", "EX32 7BU", "sf wc"},
	"rock-park":        {"Rock Park (meet at the café)", "Rock Park, Barnstaple", "EX32 9AL", "sf wc bench park"},
	"ilfracombe-rooms": {"Harbour Rooms", "The Quay, Ilfracombe", "EX34 9EQ", "sf wc"},
	"southmolton":      {"Assembly Rooms", "East Street, South Molton", "EX36 3DF", "sf wc"},
	"chulmleigh-rooms": {"Old Court Rooms", "Fore Street, Chulmleigh", "EX18 7BR", "sf"},
	"bideford-shed":    {"Torridge Men's Shed", "Kingsley Road, Bideford", "EX39 2PF", "sf park"},
	"bideford-rooms":   {"Bideford Community Rooms", "Mill Street, Bideford", "EX39 2JW", "sf wc loop"},
}

var demoDirectoryServices = []demoService{
	// Exe Valley Walkers
	{org: "exe-valley-walkers", id: "evw-quay-health-walk", name: "Quayside Health Walk", cats: "walking_groups physical_activity",
		at: "exeter-quay", when: "tue 10:00-11:00", cost: "free", led: true, since: "2009-04-14",
		desc: "A gentle, flat one-hour walk along the river from Exeter Quay, led by two trained volunteers who walk at the pace of the slowest person. It is for anyone who wants to be a bit more active or meet people, including if you have not walked far for a while. Look for the green lanyards by the Custom House steps. You can just turn up, and there is a café stop at the end if you want it."},
	{org: "exe-valley-walkers", id: "evw-canal-stroll", name: "Canal Towpath Stroll", cats: "walking_groups",
		at: "exeter-quay", when: "thu 10:30-12:00", cost: "free", led: true, since: "2014-09-04",
		desc: "A 90-minute walk along the canal towpath and back, mostly level with a few gravel stretches. Walkers chat as they go and nobody is left behind. Wear comfortable shoes and bring a drink; there is no need to book."},
	{org: "exe-valley-walkers", id: "evw-ludwell-nature-walk", name: "Ludwell Valley Nature Walk", cats: "walking_groups nature_ecotherapy",
		at: "ludwell-park", when: "sat 10:00-11:30", cost: "free", led: true, since: "2025-03-08",
		desc: "A slower walk through meadows and woodland, stopping to notice birds, trees and wildflowers along the way. There are some slopes and a stile, so it suits people who can manage uneven ground. New walkers are paired with a volunteer on their first walk, so you will not be left on your own."},
	{org: "exe-valley-walkers", id: "evw-walk-leader-training", name: "Become a Walk Leader", cats: "volunteering walking_groups",
		at: "newtown-rooms", cost: "free", places: "6", led: true, since: "2016-02-01", ages: "18-",
		desc: "A free half-day course for anyone who would like to help lead our short health walks, run a few times a year. You learn how to plan a route, keep a group together and what to do if someone feels unwell. No experience is needed, only a wish to help others get out. Email us to book a place on the next date."},

	// Devon Money Advice Service
	{org: "devon-money-advice", id: "dmas-exeter-drop-in", name: "Money Advice Drop-in, Exeter", cats: "money_debt_advice",
		at: "dmas-exeter", when: "mon 10:00-13:00, wed 10:00-13:00, fri 10:00-13:00", cost: "free", since: "1998-06-01", langs: "English, Polish",
		desc: "Free, confidential help with debts, benefits, bills and budgeting from trained advisers. Bring any letters you are worried about, even if you have not opened them, and we will go through them with you. You can just walk in during these hours, though there may be a short wait in busy weeks."},
	{org: "devon-money-advice", id: "dmas-benefits-check", name: "Benefits Check by Phone", cats: "money_debt_advice",
		at: "dmas-exeter", cost: "free", since: "2012-10-01", access: "phone",
		desc: "An adviser rings you to check you are getting all the benefits and discounts you are entitled to, such as Pension Credit, Attendance Allowance or Council Tax Reduction. It takes about 45 minutes and you do not need to leave home. Ring the freephone number and leave your name; we usually call back within a week."},
	{org: "devon-money-advice", id: "dmas-newton-abbot", name: "Money Advice Drop-in, Newton Abbot", cats: "money_debt_advice housing_advice",
		at: "dmas-na", when: "tue 10:00-14:00, thu 10:00-14:00", cost: "free", since: "2001-03-05",
		desc: "Free advice on debt, benefits, rent arrears and dealing with letters from councils, landlords and creditors. An adviser will listen first, then help you work out what to do next and can contact people on your behalf. Walk in, or ring if you would rather have a set time."},
	{org: "devon-money-advice", id: "dmas-barnstaple", name: "Money Advice Drop-in, Barnstaple", cats: "money_debt_advice",
		at: "dmas-barnstaple", when: "mon 09:30-12:30, thu 09:30-12:30", cost: "free", since: "2003-09-01", stale: 9,
		desc: "Free, impartial help with money worries for anyone in North Devon, whatever your situation. Advisers can help you deal with debts, check your benefits, challenge a decision or set up a budget that works. No appointment is needed; ask at the front desk and someone will see you."},
	{org: "devon-money-advice", id: "dmas-energy-bills", name: "Help with Energy Bills", cats: "money_debt_advice",
		at: "torquay-library", when: "wed 13:30-16:00", cost: "free", since: "2023-01-11",
		desc: "Worried about a high energy bill, a prepayment meter or being cut off? An energy adviser can look at your bills, help you apply for grants and talk to your supplier for you. Drop in to the library's meeting room and bring a recent bill if you have one."},
	{org: "devon-money-advice", id: "dmas-universal-credit", name: "Universal Credit Help to Claim", cats: "money_debt_advice digital_inclusion",
		at: "tiverton-hub", when: "thu 10:00-13:00", cost: "free", since: "2018-09-06",
		desc: "Step-by-step help to make a Universal Credit claim, from setting up the online account to your first payment. An adviser sits with you at a computer and explains each part in plain language. Bring your ID, bank details and tenancy agreement if you have them; booking is best, but you can drop in."},
	{org: "devon-money-advice", id: "dmas-renting-rights", name: "Renting and Housing Rights Advice", cats: "housing_advice money_debt_advice",
		at: "dmas-exeter", cost: "free", since: "2010-05-04",
		desc: "Advice by appointment for tenants facing an eviction notice, rent arrears, repairs that are not being done or an unaffordable rent rise. An adviser will explain your rights and can write to your landlord or the council with you. Ring to book a phone or face-to-face appointment."},

	// Devon Community Libraries
	{org: "devon-libraries", id: "lib-exeter-digital", name: "Digital Drop-in at Exeter Library", cats: "digital_inclusion",
		at: "exeter-library", when: "tue 14:00-16:00, sat 10:00-12:00", cost: "free", since: "2015-01-13",
		desc: "Bring your phone, tablet or laptop, or use one of ours, and a volunteer will help with whatever you are stuck on: email, video calls, online shopping, the NHS App or booking a GP appointment. No question is too basic and nobody will rush you. Just come to the learning area on the ground floor."},
	{org: "devon-libraries", id: "lib-exeter-book-chat", name: "Book Chat", cats: "hobbies_interests social_groups",
		at: "exeter-library", when: "wed 10:30-11:30", cost: "free", since: "2017-06-07",
		desc: "A relaxed weekly chat about books over tea and biscuits. There is no set book: people talk about whatever they have been reading or listening to, or want to try next. It is a gentle way to meet people if you are new to the area, and you can just turn up."},
	{org: "devon-libraries", id: "lib-exeter-knit-natter", name: "Knit and Natter", cats: "hobbies_interests arts_creativity social_groups",
		at: "exeter-library", when: "thu 14:00-16:00", cost: "free", led: true, since: "2011-10-06",
		desc: "Bring any knitting, crochet or sewing project, or learn from scratch with our spare needles and wool. The group is friendly and chatty and beginners are very welcome. Tea is provided and you can just drop in."},
	{org: "devon-libraries", id: "lib-newton-abbot-job-club", name: "Job Club at Newton Abbot Library", cats: "employment_support digital_inclusion",
		at: "na-library", when: "mon 10:00-12:00", cost: "free", since: "2013-04-08", ages: "16-",
		desc: "Help with looking for work: writing a CV, searching and applying for jobs online and getting ready for interviews. A work coach and library volunteers are on hand, and computers and printing are free for job seekers. Come along whenever suits you during the session."},
	{org: "devon-libraries", id: "lib-barnstaple-get-online", name: "Get Online at Barnstaple Library", cats: "digital_inclusion",
		at: "barnstaple-lib", when: "wed 10:00-12:00", cost: "free", places: "3", since: "2016-03-02",
		desc: "One-to-one help to get started with computers, tablets and smartphones, at your own pace. If you have nothing to practise on at home, you can borrow a tablet with free data for up to three months. Book a 30-minute slot by phone, or ask at the desk on the day."},
	{org: "devon-libraries", id: "lib-tavistock-local-history", name: "Tavistock Local History Group", cats: "hobbies_interests education_training",
		at: "tavistock-lib", when: "fri 14:00-15:30", cost: "free", led: true, since: "2005-01-14", stale: 11,
		desc: "Members share photographs, maps and memories of Tavistock and the surrounding villages, and help each other research family history. Some sessions include a short talk by a member or guest. Everyone is welcome, whether you have lived here all your life or have just arrived."},
	{org: "devon-libraries", id: "lib-torquay-home-library", name: "Home Library Service, Torbay", cats: "befriending hobbies_interests",
		at: "torquay-library", cost: "free", since: "1999-05-04", access: "lp phone",
		who:  "People who cannot get to a library because of illness, disability or caring",
		desc: "A volunteer brings library books, large print and audiobooks to your home every three weeks and stays for a cup of tea and a chat. It is for anyone who finds it hard to get to the library. Ring the library to ask for a visit; there is no charge and no fines."},
	{org: "devon-libraries", id: "lib-crediton-digital", name: "Crediton Library Tech Help", cats: "digital_inclusion",
		at: "crediton-library", when: "fri 10:00-12:00", cost: "free", since: "2019-02-01",
		desc: "Friendly help with phones, tablets and computers from library volunteers, one person at a time. Many people come to learn video calls with family, online banking safely or how to use the NHS App. Just drop in; if it is busy, we will make you a drink while you wait."},
	{org: "devon-libraries", id: "lib-okehampton-warm-welcome", name: "Warm Welcome at Okehampton Library", cats: "social_groups food_support",
		at: "okehampton-lib", when: "mon 13:00-16:00, thu 13:00-16:00", cost: "free", since: "2022-11-07",
		desc: "A warm, comfortable space to sit, read, charge your phone and have a free hot drink and soup. There is no need to explain why you have come and no need to book. Volunteers are around if you would like a chat or help finding other support."},

	// Devon Community Food Network
	{org: "devon-food-network", id: "food-exeter-food-bank", name: "Exeter Food Bank", cats: "food_support",
		at: "food-exeter", when: "mon 12:00-14:00, wed 12:00-14:00, fri 12:00-14:00", cost: "free", since: "2008-11-03",
		who:  "Anyone struggling to afford food. A referral voucher helps, but if you do not have one we will help you get one.",
		desc: "A food bank giving three days of food to people who cannot afford enough to eat right now. Volunteers will sit with you over a cup of tea, help you choose food and can put you in touch with money advice. If you do not have a voucher, come anyway and we will sort it out together."},
	{org: "devon-food-network", id: "food-newton-abbot-food-bank", name: "Newton Abbot Food Bank", cats: "food_support",
		at: "na-hall", when: "tue 11:00-13:00, fri 11:00-13:00", cost: "free", since: "2011-06-07",
		who:  "Anyone struggling to afford food; bring a referral voucher if you have one.",
		desc: "Emergency food parcels, toiletries and pet food, handed out in the chapel hall with tea and cake while you wait. Volunteers are kind and discreet and nobody will judge you. If you have no voucher, come along and we will help you get one the same day."},
	{org: "devon-food-network", id: "food-barnstaple-food-bank", name: "Barnstaple Food Bank", cats: "food_support",
		at: "ndt-hub", when: "wed 12:00-14:00, sat 10:00-12:00", cost: "free", since: "2010-01-13",
		desc: "Three days of nutritious food for people in crisis, given out in a quiet room at the North Devon Together hub. Our volunteers can also help with fuel vouchers and point you to advice. Come during opening times; you will be welcomed at the door."},
	{org: "devon-food-network", id: "food-torquay-larder", name: "Torquay Community Larder", cats: "food_support",
		at: "torre-hall", when: "thu 10:00-12:00", cost: "£4", fees: "£4 a visit for around £20 of shopping", since: "2021-03-04",
		desc: "A community larder where members pay £4 a visit and choose around £20 of groceries, including fresh fruit, vegetables and chilled food. Anyone living in Torbay can join: there is no referral and no means test. Bring proof of your address on your first visit."},
	{org: "devon-food-network", id: "food-cook-eat-budget", name: "Cook and Eat on a Budget", cats: "food_support education_training",
		at: "food-exeter", when: "tue 10:00-12:30", cost: "free", places: "3", since: "2023-05-09",
		desc: "A six-week course where a small group learns to cook simple, cheap meals together and then sits down to eat them. You take home recipe cards and a bag of ingredients each week. No cooking experience is needed; ring to book a place on the next course."},
	{org: "devon-food-network", id: "food-tiverton-food-bank", name: "Tiverton Food Bank", cats: "food_support",
		at: "tiverton-hub", when: "mon 10:00-12:00, thu 10:00-12:00", cost: "free", since: "2012-02-06",
		desc: "Emergency food for people in Tiverton and the surrounding villages, with a friendly welcome and a hot drink. We can also deliver to people who cannot get into town. Come during opening times with or without a voucher, or ring and we will talk it through."},

	// Open Door Minds Devon
	{org: "open-door-minds", id: "odm-evening-haven", name: "Evening Haven", cats: "mental_health_support",
		at: "odm-exeter", when: "fri 18:00-22:00, sat 18:00-22:00, sun 18:00-22:00", cost: "free", since: "2017-10-06", ages: "18-",
		desc: "A calm, welcoming place to go in the evening if you are feeling low, anxious or overwhelmed and do not want to be alone. Trained staff and volunteers will listen, have a cup of tea with you and help you think about what might help tonight. You do not need an appointment or a referral: just knock on the door."},
	{org: "open-door-minds", id: "odm-talking-together", name: "Talking Together Peer Group", cats: "mental_health_support support_groups",
		at: "odm-exeter", when: "wed 14:00-15:30", cost: "free", since: "2013-05-01", ages: "18-",
		desc: "A small, friendly group for adults living with anxiety, depression or other mental health difficulties, run by people with their own experience. You can talk or just listen; nobody is made to share. On your first visit a facilitator will meet you at the door and explain how the group works."},
	{org: "open-door-minds", id: "odm-five-weeks-wellbeing", name: "Five Weeks to Wellbeing", cats: "mental_health_support education_training",
		at: "odm-exeter", when: "thu 10:00-12:00", cost: "free", places: "8", since: "2019-01-10", ages: "18-",
		desc: "A free short course on understanding stress and low mood, sleeping better and small steps that can help you feel more in control. Groups are small and relaxed, and you will not be asked to talk about anything you do not want to. Ring or email to book; a worker will have a short chat with you first."},
	{org: "open-door-minds", id: "odm-mens-talk-newton-abbot", name: "Men's Talk, Newton Abbot", cats: "mental_health_support support_groups",
		at: "na-hall", when: "tue 19:00-20:30", cost: "free", led: true, since: "2025-09-16", ages: "18-", who: "Men aged 18 and over", sex: "male",
		desc: "A relaxed evening where men can talk about what is on their minds over a brew, with no pressure to speak. Some weeks we just talk about football or work; some weeks it goes deeper. You can just turn up, and a volunteer will say hello and introduce you."},
	{org: "open-door-minds", id: "odm-walk-talk-barnstaple", name: "Walk and Talk, Barnstaple", cats: "mental_health_support walking_groups",
		at: "rock-park", when: "sat 10:30-11:30", cost: "free", since: "2024-04-13",
		desc: "A gentle walk around the park with people who understand what it is like when your mental health is a struggle. Walking side by side often makes it easier to talk, but you are welcome to walk quietly too. Meet at the café, where a volunteer with an Open Door Minds badge will be waiting."},
	{org: "open-door-minds", id: "odm-creative-calm", name: "Creative Calm", cats: "mental_health_support arts_creativity",
		at: "odm-exeter", when: "mon 13:30-15:30", cost: "free", places: "2", since: "2020-09-07",
		desc: "A quiet art session for people whose mental health is affecting their day-to-day life. You can paint, draw, make collage or just doodle; materials are provided and no skill is needed. Ring first so we can save you a seat at the table."},
	{org: "open-door-minds", id: "odm-plympton-wellbeing", name: "Plympton Wellbeing Group", cats: "mental_health_support support_groups",
		at: "ridgeway-hall", when: "thu 18:30-20:00", cost: "free", led: true, since: "2026-02-05", ages: "18-",
		desc: "A new peer support group for adults in Plympton and Plymstock who are finding life hard going. Each week there is a short check-in, a cup of tea and a topic such as sleep, worry or getting out more. Come early on your first evening and one of the volunteers will sit with you."},

	// Devon Carers Together
	{org: "devon-carers-together", id: "dct-carers-cafe-exeter", name: "Carers' Café, Exeter", cats: "carers_support social_groups",
		at: "carers-exeter", when: "tue 10:30-12:30", cost: "free", since: "2007-02-06", who: "Unpaid carers of any age",
		desc: "A relaxed café morning for people who look after a family member or friend. Have a cuppa and cake, chat to other carers who understand, and ask a carers' worker about breaks, benefits or a carer's assessment. You can bring the person you care for if that is easier; just turn up."},
	{org: "devon-carers-together", id: "dct-carers-line", name: "Carers' Support Line", cats: "carers_support",
		at: "carers-exeter", cost: "free", since: "2010-04-01", access: "phone", who: "Unpaid carers and the people supporting them",
		desc: "A freephone line for carers to talk through worries, get information and be put in touch with local support. Calls are answered on weekdays from 9am to 5pm, and you can ring as often as you need. If we are busy, leave a message and we will ring you back the same day."},
	{org: "devon-carers-together", id: "dct-honiton-time-out", name: "Time Out for Carers, Honiton", cats: "carers_support social_groups",
		at: "honiton-hub", when: "wed 13:30-15:30", cost: "free", since: "2018-05-02", who: "Unpaid carers",
		desc: "An afternoon just for you: hand massage, crafts, a quiz or simply a chat and a slice of cake with other carers. If you cannot leave the person you care for, ring us and we may be able to arrange a sitter for the afternoon. You can come once or every week."},
	{org: "devon-carers-together", id: "dct-young-adult-carers", name: "Young Adult Carers Group", cats: "carers_support support_groups",
		at: "youth-hub", when: "thu 17:00-19:00", cost: "free", since: "2016-01-14", ages: "16-25",
		who:  "Young people aged 16 to 25 who look after someone",
		desc: "A group for young adults who help look after a parent, brother, sister or partner. There is food, a games console, trips in the holidays and a worker who can help with college, work and time for yourself. Message or ring first and we will meet you at the door."},
	{org: "devon-carers-together", id: "dct-torbay-coffee", name: "Torbay Carers' Coffee Morning", cats: "carers_support social_groups",
		at: "paignton-centre", when: "fri 10:00-12:00", cost: "free", since: "2014-09-05", who: "Unpaid carers",
		desc: "A friendly coffee morning for carers in Torquay, Paignton and Brixham, with a carers' worker there every week. Some people come for information, others just for an hour away from caring. Everyone is welcome and there is no need to book."},
	{org: "devon-carers-together", id: "dct-north-devon-group", name: "North Devon Carers' Group", cats: "carers_support support_groups",
		at: "ndt-hub", when: "mon 14:00-16:00", cost: "free", since: "2011-03-07", stale: 8, who: "Unpaid carers",
		desc: "A support group where carers share what has helped them, hear from visiting speakers and look out for one another. Topics have included lasting power of attorney, moving and handling, and looking after your own health. You are welcome to just come and listen."},
	{org: "devon-carers-together", id: "dct-tech-for-carers", name: "Tech Help for Carers", cats: "carers_support digital_inclusion",
		at: "carers-exeter", when: "thu 14:00-16:00", cost: "free", since: "2024-01-18", who: "Unpaid carers",
		desc: "Help using apps and websites that make caring easier, such as ordering repeat prescriptions, shared calendars and video calls with family. Bring your own phone or tablet, or try one of ours. Drop in, or ring to book a quieter one-to-one slot."},

	// Memory Lane Devon
	{org: "memory-lane-devon", id: "mld-memory-cafe-heavitree", name: "Memory Café, Heavitree", cats: "dementia_support social_groups carers_support",
		at: "heavitree-hall", when: "wed 14:00-16:00", cost: "£2", fees: "£2 a person, including tea and cake", since: "2009-09-02",
		who:  "People living with dementia or memory worries, and their family and friends",
		desc: "A friendly afternoon café for people living with dementia and those who care for them. There is tea and cake, gentle music or a quiz, and a dementia adviser on hand for a quiet word. Come together or on your own; you can just turn up."},
	{org: "memory-lane-devon", id: "mld-singing-memory-exeter", name: "Singing for Memory, Exeter", cats: "dementia_support singing_groups",
		at: "stthomas-hall", when: "mon 10:30-12:00", cost: "£3", since: "2012-01-09",
		who:  "People living with dementia, with a carer, family member or friend",
		desc: "Familiar songs from the 1940s to the 1970s, sung together with a music leader and a pianist. Singing can lift the mood and bring back memories, and nobody needs to sing well. Please ring before your first visit so we can look out for you."},
	{org: "memory-lane-devon", id: "mld-memory-cafe-tiverton", name: "Memory Café, Tiverton", cats: "dementia_support social_groups",
		at: "tiverton-church", when: "thu 14:00-16:00", cost: "£2", since: "2015-04-02",
		desc: "An afternoon of tea, chat and activities such as reminiscence, armchair exercise and music, in a relaxed and understanding setting. People living with dementia and their carers are equally welcome. There is parking by the door and you do not need to book."},
	{org: "memory-lane-devon", id: "mld-memory-cafe-sidmouth", name: "Memory Café, Sidmouth", cats: "dementia_support social_groups",
		at: "blackmore-rooms", when: "tue 14:00-16:00", cost: "£2", since: "2013-06-04", stale: 10,
		desc: "A warm and welcoming café for people with memory loss and the people who support them. Volunteers serve tea and cake at the table and there is a different gentle activity each week. Just come along; first-timers are always given a seat with a volunteer."},
	{org: "memory-lane-devon", id: "mld-singing-memory-torquay", name: "Singing for Memory, Torquay", cats: "dementia_support singing_groups",
		at: "torre-hall", when: "wed 10:30-12:00", cost: "£3", since: "2018-02-07",
		desc: "A weekly singing group for people living with dementia and their carers, with warm-ups, old favourites and a break for tea. The song sheets are in large print and there is no pressure to sing out. Ring us before your first visit and we will save you a seat."},
	{org: "memory-lane-devon", id: "mld-advice-line", name: "Dementia Advice Line", cats: "dementia_support carers_support",
		at: "heavitree-hall", cost: "free", since: "2011-11-01", access: "phone",
		desc: "Talk to an experienced dementia adviser about a new diagnosis, changes in behaviour, legal and money matters or planning ahead. The line is for people living with dementia, their families and professionals. Ring on weekdays; if you prefer, an adviser can arrange to visit you at home."},
	{org: "memory-lane-devon", id: "mld-memory-cafe-okehampton", name: "Memory Café, Okehampton", cats: "dementia_support social_groups",
		at: "moorside", when: "fri 14:00-16:00", cost: "£2", since: "2026-03-06",
		desc: "Our newest memory café, for people living with dementia or worried about their memory, and the people close to them. Expect tea, cake, music and conversation in a calm room with plenty of parking. Come and see us; there is nothing to fill in."},

	// Men's Sheds
	{org: "exeter-mens-shed", id: "ems-workshop", name: "Exeter Men's Shed Workshop", cats: "social_groups hobbies_interests volunteering",
		at: "ems-shed", when: "tue 09:30-13:00, thu 09:30-13:00, sat 10:00-13:00", cost: "£2", fees: "£2 a session towards tools and tea", led: true, since: "2014-03-04",
		desc: "A workshop where people work on woodwork and repair projects, make things for community groups and chat over a mug of tea. It is mainly men, but everyone is welcome whatever your skills. On your first visit someone will show you round and explain the safety rules. Just come during opening hours."},
	{org: "exeter-mens-shed", id: "ems-woodturning", name: "Woodturning for Beginners", cats: "hobbies_interests arts_creativity education_training",
		at: "ems-shed", when: "wed 18:00-20:30", cost: "£5", places: "full", led: true, since: "2023-10-04",
		desc: "A small evening class where experienced members teach you to turn bowls, pens and candlesticks on the lathe. Safety gear and wood are provided. This term is full; ring or email to go on the list for the next one."},
	{org: "tiverton-mens-shed", id: "tms-workshop", name: "Tiverton Men's Shed", cats: "social_groups hobbies_interests",
		at: "tms-shed", when: "mon 10:00-15:00, wed 10:00-15:00", cost: "£2", led: true, since: "2016-05-09",
		desc: "A place to make, mend and chat, with a woodwork bench, tools and a kettle that is always on. Members fix garden furniture, build bird boxes for schools and help each other with their own projects. Pop in during opening hours; you do not need any skills to start."},
	{org: "tiverton-mens-shed", id: "tms-shed-breakfast", name: "Shed Breakfast", cats: "social_groups food_support",
		at: "tms-shed", when: "fri 09:00-11:00", cost: "£3", fees: "£3 for a bacon or veggie roll and a brew", led: true, since: "2024-06-07",
		desc: "A Friday breakfast at the Shed, with rolls, tea and conversation around the big table. It is a low-key way to meet people if you are new to Tiverton, have recently retired or just fancy company. Just turn up."},
	{org: "torridge-mens-shed", id: "trms-workshop", name: "Torridge Men's Shed", cats: "social_groups hobbies_interests volunteering",
		at: "bideford-shed", when: "tue 10:00-16:00, fri 10:00-16:00", cost: "£2", led: true, since: "2017-01-10", stale: 7,
		desc: "A well-equipped workshop in Bideford where members do woodwork, metalwork and small engine repairs, and take on jobs for local charities. Newcomers are shown the ropes by an experienced member. You are welcome to come and look round before deciding to join."},

	// Newtown Community Association
	{org: "newtown-community-association", id: "nca-friendship-lunch", name: "Newtown Friendship Lunch", cats: "social_groups food_support",
		at: "newtown-rooms", when: "thu 12:00-14:00", cost: "£4", fees: "£4 for a two-course hot lunch", since: "1996-04-04", ages: "55-", who: "Over 55s",
		desc: "A two-course home-cooked lunch, shared around tables of six, followed by a raffle or quiz. It is for older people who would like company at lunchtime, and many people come on their own. Ring by Tuesday to book so the cook knows how many to expect; volunteer drivers can sometimes collect you."},
	{org: "newtown-community-association", id: "nca-coffee-morning", name: "Monday Coffee Morning", cats: "social_groups",
		at: "newtown-rooms", when: "mon 10:00-12:00", cost: "free", fees: "Donations welcome", led: true, since: "2002-09-02",
		desc: "Coffee, tea and homemade cake in a bright community room, with newspapers, jigsaws and plenty of chat. Lots of people come on their own, and the volunteers make a point of saying hello to new faces. Just drop in."},
	{org: "newtown-community-association", id: "nca-community-fridge", name: "Newtown Community Fridge", cats: "food_support",
		at: "newtown-rooms", when: "tue 15:00-18:00, sat 10:00-12:00", cost: "free", since: "2020-02-04",
		desc: "Surplus food from local shops and growers, free for anyone to take so it does not go to waste. There are no forms and no questions: take what you will use. Bring a bag if you can."},
	{org: "newtown-community-association", id: "nca-repair-cafe", name: "Newtown Repair Café", cats: "volunteering hobbies_interests",
		at: "newtown-rooms", when: "sat 10:00-13:00", cost: "free", fees: "Free; donations to the tool fund welcome", led: true, since: "2019-04-06",
		desc: "Bring a broken lamp, toaster, bike or torn jacket, and volunteer fixers will try to mend it with you while you have a cup of tea. If you are handy, you are welcome to join as a fixer. No booking: just bring the item along."},
	{org: "newtown-community-association", id: "nca-polish-friendship", name: "Polish Friendship Group (Klub Przyjaźni)", cats: "social_groups",
		at: "newtown-rooms", when: "sun 14:00-16:30", cost: "free", led: true, since: "2023-03-05", langs: "Polish, English",
		desc: "A Sunday afternoon gathering for Polish speakers living in and around Exeter, with coffee, cake and conversation. It is a place to share news, help each other with forms and letters, and make friends. Families are welcome and you can just drop in."},
	{org: "newtown-community-association", id: "nca-chair-yoga", name: "Chair Yoga", cats: "physical_activity",
		at: "newtown-rooms", when: "wed 11:00-12:00", cost: "£3", since: "2018-01-10", who: "Suitable for people with limited mobility",
		desc: "Gentle stretches and breathing, done seated or standing behind a chair, led by a qualified teacher. It helps with stiffness, balance and relaxation, and you go at your own pace. Wear comfortable clothes; no mat is needed and you can just turn up."},

	// Exeter Active Leisure
	{org: "exeter-active-leisure", id: "eal-over-60s-swim", name: "Over-60s Swim", cats: "physical_activity",
		at: "wonford-pool", when: "mon 09:00-10:00, wed 09:00-10:00, fri 09:00-10:00", cost: "£3.10", since: "1995-09-04", ages: "60-",
		who:  "Adults aged 60 and over",
		desc: "A quiet lane swim for people aged 60 and over, with warm water and lanes set for different speeds. Lifeguards are happy to help you in and out, and there is a pool hoist and private changing cubicles. Pay at reception; you do not need to book."},
	{org: "exeter-active-leisure", id: "eal-gentle-aqua", name: "Gentle Aqua Fit", cats: "physical_activity",
		at: "wonford-pool", when: "tue 11:00-11:45", cost: "£4.50", since: "2006-01-10",
		desc: "An easy-paced exercise class in the shallow end, good for stiff joints, recovering from injury or building confidence in the water. You do not need to be able to swim. Arrive ten minutes early on your first visit so the instructor can say hello."},
	{org: "exeter-active-leisure", id: "eal-walking-football", name: "Walking Football", cats: "physical_activity social_groups",
		at: "wonford-pool", when: "thu 10:00-11:00", cost: "£3", fees: "£3; first session free", since: "2016-02-04", ages: "50-",
		desc: "Football without running or tackling, played at a walking pace in the sports hall. It is for people over 50 of any fitness who want to keep active and enjoy a game and a laugh afterwards. Wear trainers; your first session is free."},
	{org: "exeter-active-leisure", id: "eal-active-lifestyles", name: "Active Lifestyles Referral Programme", cats: "physical_activity support_groups",
		at: "wonford-pool", cost: "£30", fees: "£30 for 12 weeks of supervised gym, swim and classes", places: "10", since: "2008-04-01", ages: "18-",
		who:  "Adults with a health condition, referred by a GP, nurse, physiotherapist or link worker",
		desc: "A 12-week programme for people with health conditions such as heart disease, diabetes, arthritis or low mood who want to get more active safely. It starts with a one-to-one chat with a specialist instructor, who plans sessions around you. Ask your GP or link worker to refer you, and we will ring to book your first appointment."},
	{org: "exeter-active-leisure", id: "eal-strength-balance", name: "Seated Strength and Balance", cats: "physical_activity",
		at: "pinhoe-hall", when: "tue 14:00-15:00", cost: "£3", since: "2021-09-07", ages: "65-",
		desc: "A class of exercises done sitting down or holding a chair, to build strength in your legs and lower the chance of a fall. The instructor adapts every move to suit you. Ring before your first class so we can ask a few health questions."},

	// Teign Active
	{org: "teign-active", id: "ta-over-60s-swim", name: "Over-60s Swim, Newton Abbot", cats: "physical_activity",
		at: "teign-leisure", when: "tue 08:00-09:00, thu 08:00-09:00", cost: "£3", since: "2002-01-08", ages: "60-",
		desc: "An early-morning swim for people aged 60 and over, with lanes for slow, medium and faster swimmers and a warm shower afterwards. Staff can help with the steps or the hoist. Just pay at reception."},
	{org: "teign-active", id: "ta-pickleball", name: "Beginners' Pickleball", cats: "physical_activity hobbies_interests",
		at: "teign-leisure", when: "fri 13:00-14:30", cost: "£4", since: "2024-02-09",
		desc: "A friendly racket game that is easy to learn, played on a small court with a light paddle and plastic ball. Paddles and balls are provided and a coach explains the rules on your first visit. All ages and abilities are welcome; just turn up in trainers."},
	{org: "teign-active", id: "ta-teignmouth-health-walk", name: "Teignmouth Seafront Health Walk", cats: "walking_groups physical_activity",
		at: "den-rooms", when: "wed 10:00-11:00", cost: "free", led: true, since: "2013-05-01",
		desc: "A level walk along the promenade and back, led by trained volunteers, with a chance to stop for a coffee at the end. It is ideal if you are getting back into walking after illness or want some company. Meet outside the Den Rooms; no need to book."},
	{org: "teign-active", id: "ta-dawlish-tai-chi", name: "Tai Chi for Health, Dawlish", cats: "physical_activity",
		at: "dawlish-rooms", when: "mon 10:00-11:00", cost: "£4", since: "2010-09-06", stale: 8,
		desc: "Slow, flowing movements that help balance, breathing and calm. The class is gentle enough for people with arthritis or who are unsteady on their feet, and you can do much of it seated. Come ten minutes early for your first session."},

	// Torbay Active Communities
	{org: "torbay-active-communities", id: "tac-paignton-stroll", name: "Paignton Seafront Stroll", cats: "walking_groups physical_activity",
		at: "preston-green", when: "mon 10:00-11:00", cost: "free", led: true, since: "2012-04-02",
		desc: "A flat, sociable walk along the seafront with volunteer leaders, finishing with an optional cuppa. Walkers go at their own pace and there are benches all the way. Meet by the beach huts; you can just turn up."},
	{org: "torbay-active-communities", id: "tac-quiet-swim", name: "Quiet Swim, Clennon Valley", cats: "physical_activity",
		at: "clennon-pool", when: "wed 12:00-13:00, sun 08:00-09:00", cost: "£3.50", since: "2019-06-05",
		who:  "Adults who would like a calm, uncrowded swim, including disabled people and people with sensory needs",
		desc: "A calmer swim with fewer people, no music and a mix of lanes and open water. It suits you if busy pools feel stressful or you are returning to swimming after an illness. There are private changing cubicles and a poolside hoist."},
	{org: "torbay-active-communities", id: "tac-back-to-netball", name: "Back to Netball", cats: "physical_activity social_groups",
		at: "clennon-pool", when: "tue 19:00-20:00", cost: "£4", since: "2022-01-11", ages: "16-", sex: "female",
		desc: "A relaxed netball session for women who have not played since school, or ever. The coach goes over the basics each week and the game is friendly, not competitive. Wear trainers and bring a water bottle."},
	{org: "torbay-active-communities", id: "tac-tea-dance", name: "Tea Dance at Torre", cats: "physical_activity social_groups",
		at: "torre-hall", when: "fri 14:00-16:00", cost: "£4", fees: "£4 including tea and biscuits", since: "2004-03-05",
		desc: "Ballroom and sequence dancing to music from a live organist, with a tea break halfway through. Come to dance or just to watch and listen; many people come on their own and partners are easy to find. Smart-casual dress; just turn up."},

	// Beacon Lane Allotment Project
	{org: "beacon-lane-allotments", id: "bla-community-plot", name: "Community Plot Open Mornings", cats: "nature_ecotherapy volunteering",
		at: "beacon-allotment", when: "wed 10:00-12:00, sat 10:00-12:30", cost: "free", led: true, since: "2011-03-05",
		desc: "Help grow fruit and vegetables on a shared allotment plot, with experienced growers to show you how. You can dig, sow, weed or just sit with a cup of tea; there is a shelter and a compost toilet. Wear old clothes and just turn up; tools and gloves are provided."},
	{org: "beacon-lane-allotments", id: "bla-starter-plots", name: "Starter Plots for Beginners", cats: "nature_ecotherapy hobbies_interests",
		at: "beacon-allotment", cost: "£15", fees: "£15 a year for a quarter plot", places: "full", led: true, since: "2015-02-01",
		desc: "Small quarter-sized plots for people who want to try growing their own, with a mentor for the first year. All plots are taken at the moment. Ask to join the waiting list, which usually moves within a few months."},

	// Grow Together Devon
	{org: "grow-together-devon", id: "gtd-ludwell-garden", name: "Ludwell Wellbeing Garden", cats: "nature_ecotherapy mental_health_support",
		at: "ludwell-garden", when: "tue 10:00-14:00, fri 10:00-14:00", cost: "free", since: "2010-04-06", ages: "18-",
		who:  "Adults 18+; refer yourself, or ask your GP or link worker",
		desc: "A therapeutic garden where small groups grow vegetables, tend wildflower beds and look after the pond, supported by a horticultural therapist. It is for adults whose mental or physical health has knocked their confidence. Ring to arrange a first visit, when you can look round and decide whether it suits you."},
	{org: "grow-together-devon", id: "gtd-common-ground", name: "Common Ground Garden Sessions", cats: "nature_ecotherapy volunteering",
		at: "totnes-garden", when: "wed 10:00-15:00, sat 10:00-13:00", cost: "free", led: true, since: "2009-05-06",
		desc: "Join volunteers growing food and flowers in a community garden near the centre of Totnes. There is always a job to suit you, from potting on seedlings at a table to turning compost, and lunch is shared on Wednesdays. Come for an hour or the whole session; no need to book."},
	{org: "grow-together-devon", id: "gtd-green-gym-barnstaple", name: "Green Gym, Barnstaple", cats: "nature_ecotherapy physical_activity volunteering",
		at: "rock-park", when: "thu 10:00-13:00", cost: "free", since: "2018-03-01",
		desc: "Outdoor practical work, such as planting hedges, clearing paths and building raised beds, that gets you moving and out in the fresh air. Every session starts with a warm-up and ends with tea round the fire bowl. Come in clothes you do not mind getting muddy; gloves and tools are provided."},
	{org: "grow-together-devon", id: "gtd-slow-woodland-walk", name: "Slow Woodland Walk", cats: "nature_ecotherapy walking_groups mental_health_support",
		at: "haldon-woods", when: "sun 10:00-12:00", cost: "£5", places: "10", since: "2024-04-14",
		desc: "A slow, quiet walk among the trees, with a guide inviting you to notice sounds, smells and textures, in the style of forest bathing. We cover less than a mile in two hours and finish with a hot drink. Book a place by email; we will send directions to the meeting point."},
	{org: "grow-together-devon", id: "gtd-grow-and-cook", name: "Grow and Cook", cats: "nature_ecotherapy food_support",
		at: "ludwell-garden", when: "thu 11:00-14:00", cost: "free", since: "2025-07-03",
		desc: "Pick vegetables from the garden, cook a simple lunch together on the outdoor kitchen and eat round the big table. You will learn easy seasonal recipes and take some produce home. Anyone is welcome; please ring so we know numbers for lunch."},

	// Redbrick Art Studios
	{org: "redbrick-studios", id: "rbs-open-studio", name: "Open Studio Afternoon", cats: "arts_creativity social_groups",
		at: "redbrick", when: "wed 13:00-16:00", cost: "£3", fees: "£3, materials included", since: "2012-09-05",
		desc: "Come and make art in a friendly shared studio: painting, printmaking, clay or whatever you fancy trying. An artist is on hand to help you get started, but there are no lessons and no pressure. You can just turn up; aprons and materials are provided."},
	{org: "redbrick-studios", id: "rbs-arts-wellbeing", name: "Arts for Wellbeing Course", cats: "arts_creativity mental_health_support",
		at: "redbrick", when: "thu 10:00-12:30", cost: "free", places: "4", since: "2016-01-14", ages: "18-",
		who:  "Adults referred by a GP, link worker or mental health team",
		desc: "A ten-week course for people experiencing low mood, anxiety or isolation, trying a different art form each week with a professional artist. The group is small and supportive and ends with a small exhibition if people want one. The artist will ring you for a friendly chat before you start."},
	{org: "redbrick-studios", id: "rbs-drawing-evening", name: "Beginners' Drawing Evening", cats: "arts_creativity hobbies_interests",
		at: "redbrick", when: "mon 18:30-20:30", cost: "£6", since: "2021-10-04",
		desc: "A relaxed evening drawing still life and each other, with simple tips from a tutor for anyone who wants them. Pencils, charcoal and paper are provided. It is fine to have not drawn since school; just come along."},
	{org: "redbrick-studios", id: "rbs-pottery-course", name: "Pottery for Beginners (8 weeks)", cats: "arts_creativity education_training",
		at: "redbrick", when: "sat 10:00-12:30", cost: "£120", fees: "£120 for eight weeks, clay and firing included; two bursary places each course", places: "full", since: "2020-01-11",
		desc: "An eight-week course learning to make pots by hand and on the wheel, in a small group with a patient tutor. By the end you will have a few pieces fired and glazed to take home. This course is full; email to go on the list for the spring course."},
	{org: "redbrick-studios", id: "rbs-phone-photography", name: "Phone Photography Walks", cats: "arts_creativity walking_groups digital_inclusion",
		at: "exeter-quay", when: "sun 10:30-12:00", cost: "free", since: "2024-08-04",
		desc: "A slow walk round the quayside learning to take better photos with the phone in your pocket. Each week has a theme, such as reflections or doorways, and you can share pictures in a group chat afterwards if you want to. Meet by the Custom House steps; no need to book."},

	// Exeter Later Life Learners
	{org: "exeter-later-life-learners", id: "elll-french-conversation", name: "French Conversation", cats: "education_training hobbies_interests",
		at: "southernhay", when: "tue 10:00-11:30", cost: "£2", fees: "£2 a session plus £20 yearly membership", led: true, since: "1997-09-02",
		who:  "People no longer in full-time work",
		desc: "An informal group for people who want to practise French, from rusty school French to fluent. Members take turns to lead a topic and there is no homework or testing. Come to a free taster session before deciding to join."},
	{org: "exeter-later-life-learners", id: "elll-history-talks", name: "Local History Talks", cats: "hobbies_interests education_training",
		at: "southernhay", when: "fri 14:00-15:30", cost: "£2", led: true, since: "1999-01-08",
		desc: "A talk each week from a member or guest on some part of Exeter's past, from Roman walls to wartime memories, with time for questions and tea. Talks are in a comfortable room with a hearing loop. Visitors are welcome to come twice before joining."},
	{org: "exeter-later-life-learners", id: "elll-science-curious", name: "Science for Curious Minds", cats: "education_training",
		at: "southernhay", when: "wed 14:00-15:30", cost: "£2", led: true, since: "2024-01-17",
		desc: "A friendly discussion group exploring a science topic each week, such as the night sky, the brain or climate, led by members who used to teach or work in science. No background is needed, just curiosity. Come along and listen first if you prefer."},
	{org: "exeter-later-life-learners", id: "elll-beginners-bridge", name: "Beginners' Bridge", cats: "hobbies_interests social_groups",
		at: "southernhay", when: "thu 13:30-16:00", cost: "£2", led: true, since: "2006-09-07", stale: 12,
		desc: "Learn to play bridge in a patient, sociable group, with experienced players sitting in to help. You do not need a partner; we will find you one. The first session is free."},

	// Sid Valley Third Age Learners
	{org: "sid-valley-third-age", id: "svta-sid-valley-rambles", name: "Sid Valley Rambles", cats: "walking_groups",
		at: "blackmore-rooms", when: "thu 09:30-12:30", cost: "free", led: true, since: "2000-04-06", access: "terrain park",
		desc: "Walks of three to five miles in the Sid Valley and along the coast path, with car sharing to the start. Walks include some hills and stiles, so you will need reasonable fitness and walking boots. Ring the walk leader before your first walk."},
	{org: "sid-valley-third-age", id: "svta-watercolour", name: "Watercolour Group", cats: "arts_creativity hobbies_interests",
		at: "blackmore-rooms", when: "mon 10:00-12:30", cost: "£3", led: true, since: "2003-01-13",
		desc: "A friendly painting group where members work on their own pictures and share tips, with a short demonstration some weeks. Beginners can borrow paints and brushes. Just turn up with a sketchbook if you have one."},
	{org: "sid-valley-third-age", id: "svta-tech-buddies", name: "Tech Buddies, Sidmouth", cats: "digital_inclusion",
		at: "blackmore-rooms", when: "fri 10:00-12:00", cost: "free", led: true, since: "2020-09-04",
		desc: "Members who are confident with technology help others, one to one, with phones, tablets and laptops. Common questions include photos, WhatsApp, online banking and avoiding scams. Drop in with your device and its charger."},

	// Devon Befriending Circle
	{org: "devon-befriending-circle", id: "dbc-telephone-befriending", name: "Telephone Befriending", cats: "befriending",
		at: "dbc-office", cost: "free", since: "2015-06-01", ages: "18-", langs: "English, Polish",
		who:  "Adults who feel lonely or cut off, especially people living alone",
		desc: "A trained volunteer rings you at the same time each week for a friendly chat about whatever you like. It is for anyone who feels lonely or isolated, and many people find it easier than meeting face to face at first. You can refer yourself by phone or email, and we will match you with a volunteer within a few weeks."},
	{org: "devon-befriending-circle", id: "dbc-home-visiting", name: "Home Visiting Befriending", cats: "befriending",
		at: "dbc-office", cost: "free", places: "full", since: "2008-10-01", ages: "65-",
		who:  "People aged 65 and over living in Exeter, East Devon and Mid Devon",
		desc: "A volunteer visits you at home for an hour or so each week, for a chat, a game of cards or a short walk together. Every volunteer is checked and trained, and a coordinator keeps in touch with you both. There is a waiting list at the moment, but telephone befriending can start sooner while you wait."},
	{org: "devon-befriending-circle", id: "dbc-volunteer-befriender", name: "Volunteer as a Befriender", cats: "volunteering befriending",
		at: "dbc-office", cost: "free", since: "2008-10-01", ages: "18-",
		desc: "Give an hour a week to ring or visit someone who is lonely. You will have an informal interview, two training sessions and a named coordinator to support you. Volunteers often tell us they get as much from it as the people they befriend."},
	{org: "devon-befriending-circle", id: "dbc-friendship-coffee", name: "Friendship Coffee Club, Exmouth", cats: "befriending social_groups",
		at: "exmouth-library", when: "thu 10:00-11:30", cost: "free", since: "2025-11-06",
		desc: "A small coffee group for people getting back out after a long time at home, with befriending volunteers to welcome you and sit with you. It is quieter than a busy café, and nobody will mind if you only stay a short while. Ring first and a volunteer can meet you at the door."},

	// Quiet Harbour Bereavement Support
	{org: "quiet-harbour", id: "qh-bereavement-drop-in", name: "Bereavement Drop-in, Exeter", cats: "bereavement_support support_groups",
		at: "qh-rooms", when: "wed 14:00-16:00", cost: "free", since: "2006-03-01", ages: "18-",
		desc: "A gentle space to talk about the person who has died with others who are also grieving, or just to sit quietly with a cup of tea. Trained volunteers are there to listen. It does not matter how long ago your loss was; you can just come along."},
	{org: "quiet-harbour", id: "qh-one-to-one", name: "One-to-one Bereavement Support", cats: "bereavement_support mental_health_support",
		at: "qh-rooms", cost: "free", fees: "Free; donations welcome", since: "2006-03-01", ages: "18-",
		desc: "Six to eight weekly sessions with a trained bereavement volunteer, in person or by phone. You can refer yourself. After you get in touch, we will ring for a short chat about what would help; there is usually a wait of a few weeks."},
	{org: "quiet-harbour", id: "qh-walking-through-grief", name: "Walking Through Grief", cats: "bereavement_support walking_groups",
		at: "ludwell-park", when: "sat 10:30-11:30", cost: "free", since: "2025-05-10",
		desc: "A gentle walk for people who have been bereaved, side by side with others who understand. Some people talk about the person they have lost, some talk about anything but, and some walk quietly. A volunteer will meet you at the gate on your first walk if you ring ahead."},
	{org: "quiet-harbour", id: "qh-sudden-loss", name: "Bereaved by Sudden Loss", cats: "bereavement_support support_groups",
		at: "qh-rooms", when: "tue 18:30-20:00", cost: "free", since: "2019-02-05", ages: "18-",
		who:  "Adults bereaved by a sudden or unexpected death, including suicide, accident or sudden illness",
		desc: "A small, facilitated evening group for people whose loss came suddenly, where the shock and questions are understood. Please ring or email before your first evening so a facilitator can talk with you first. You do not have to speak in the group unless you want to."},
	{org: "quiet-harbour", id: "qh-cafe-newton-abbot", name: "Bereavement Café, Newton Abbot", cats: "bereavement_support social_groups",
		at: "na-hall", when: "thu 10:00-12:00", cost: "free", since: "2016-09-01",
		desc: "An informal café for anyone who has been bereaved, with tea, cake and trained volunteers to listen. Some people come for a few weeks and others come for years, making friends along the way. Just drop in; you will be met at the door."},
	{org: "quiet-harbour", id: "qh-cafe-barnstaple", name: "Bereavement Café, Barnstaple", cats: "bereavement_support social_groups",
		at: "ndt-hub", when: "tue 14:00-15:30", cost: "free", since: "2021-06-01",
		desc: "A relaxed café afternoon for people living with grief, in a quiet side room at the North Devon Together hub. Come and talk, listen, or just be somewhere with people who understand. No need to book."},

	// Crediton Community Choir
	{org: "crediton-community-choir", id: "ccc-choir", name: "Crediton Community Choir", cats: "singing_groups",
		at: "crediton-rooms", when: "wed 19:30-21:00", cost: "£4", fees: "£4 a week; first two weeks free", led: true, since: "2008-01-09",
		desc: "A non-auditioned choir singing pop, folk and gospel songs in harmony, learned by ear so you do not need to read music. Beginners are very welcome and nobody ever sings on their own. Just come along on a Wednesday evening; your first two weeks are free."},
	{org: "crediton-community-choir", id: "ccc-daytime-singing", name: "Daytime Singing Circle", cats: "singing_groups social_groups",
		at: "crediton-rooms", when: "thu 13:30-14:30", cost: "£3", led: true, since: "2025-09-04",
		desc: "A relaxed hour of singing in the afternoon for people who cannot come out in the evening, followed by tea. The songs are simple and well known, and the song sheets are in large print. Everyone is welcome; just turn up."},

	// Tiverton Community Hub
	{org: "tiverton-community-hub", id: "tch-community-lunch", name: "Hub Community Lunch", cats: "social_groups food_support",
		at: "tiverton-hub", when: "wed 12:00-13:30", fees: "Pay what you can", since: "2017-01-11",
		desc: "A hot, home-cooked lunch served at shared tables, where everyone pays what they can. It is a good place to meet people, and volunteers make sure nobody sits alone. Just come in; there is a vegetarian option every week."},
	{org: "tiverton-community-hub", id: "tch-digital-drop-in", name: "Digital Drop-in, Tiverton", cats: "digital_inclusion",
		at: "tiverton-hub", when: "tue 10:00-12:00", cost: "free", since: "2019-10-01",
		desc: "Help with anything from switching on a new phone to filling in forms online, with patient volunteers and free wifi. You can use the hub's laptops or bring your own. Drop in during the session."},
	{org: "tiverton-community-hub", id: "tch-housing-surgery", name: "Housing Advice Surgery, Tiverton", cats: "housing_advice",
		at: "tiverton-hub", when: "fri 10:00-12:00", cost: "free", since: "2019-04-05",
		desc: "A housing adviser sees people about problems such as disrepair, eviction notices, rent arrears or finding somewhere to live. You can bring letters and your tenancy agreement, and the adviser can contact your landlord or the council. Walk in, or ring to book a time."},
	{org: "tiverton-community-hub", id: "tch-volunteer", name: "Volunteer at the Hub", cats: "volunteering",
		at: "tiverton-hub", cost: "free", since: "2017-01-11", ages: "16-",
		desc: "Help in the kitchen, on reception, at the food bank or with the digital drop-in, for as little as two hours a week. You will be shown what to do and work alongside experienced volunteers. Call in or ring to arrange a chat with our volunteer coordinator."},
	{org: "tiverton-community-hub", id: "tch-crafty-tuesdays", name: "Crafty Tuesdays", cats: "arts_creativity social_groups",
		at: "tiverton-hub", when: "tue 13:30-15:30", cost: "£2", led: true, since: "2023-05-02",
		desc: "A chatty craft afternoon with a different make each week, such as card-making, felting or decoupage, and tea on the go. Materials are included and you take home what you make. No experience needed; just come along."},

	// Pathways to Work Devon
	{org: "pathways-to-work", id: "ptw-exeter-job-club", name: "Exeter Job Club", cats: "employment_support",
		at: "ptw-exeter", when: "tue 10:00-13:00, thu 10:00-13:00", cost: "free", since: "2012-02-07", ages: "16-",
		desc: "Help to find work, whether you have been out of work for a few weeks or many years. Coaches help with CVs, applications and interview nerves, and there are free computers, phones and printing. Drop in, or ring to book a longer appointment."},
	{org: "pathways-to-work", id: "ptw-confidence-course", name: "Back to Work Confidence Course", cats: "employment_support mental_health_support education_training",
		at: "ptw-exeter", when: "mon 10:00-12:30", cost: "free", places: "6", since: "2017-09-04", ages: "18-",
		desc: "A four-week course for people whose health, caring or time out of work has knocked their confidence. We look at your strengths, what kind of work might suit you and how to talk about gaps on your CV. Ring to book; a coach will call you before the course starts."},
	{org: "pathways-to-work", id: "ptw-torquay-job-club", name: "Torquay Job Club", cats: "employment_support digital_inclusion",
		at: "torquay-library", when: "wed 10:00-12:00", cost: "free", since: "2014-05-07", ages: "16-",
		desc: "A weekly job club in the library with a coach and volunteers to help with job searches, online applications and Universal Credit journals. There are computers to use and staff can print your CV for free. Just come along."},
	{org: "pathways-to-work", id: "ptw-barnstaple-work-club", name: "Barnstaple Work Club", cats: "employment_support",
		at: "barnstaple-lib", when: "fri 10:00-12:00", cost: "free", since: "2014-01-10", ages: "16-",
		desc: "Friendly help with finding work in North Devon, including seasonal, part-time and self-employed work. A coach can help with CVs, cover letters and practice interviews. Drop in during the session."},
	{org: "pathways-to-work", id: "ptw-volunteering-into-work", name: "Volunteering into Work", cats: "employment_support volunteering",
		at: "ptw-exeter", cost: "free", since: "2024-03-04", ages: "18-",
		desc: "A coach helps you find a volunteering role that builds the experience and references employers look for, then supports you to move on to paid work. It suits people who have been out of work a long time or are changing direction. Ring or email to arrange a first chat."},
	{org: "pathways-to-work", id: "ptw-plymstock-job-club", name: "Plymstock Job Club", cats: "employment_support",
		at: "plymstock-rooms", when: "thu 13:00-15:00", cost: "free", since: "2026-01-08", ages: "16-",
		desc: "A new weekly job club for people in Plymstock and Plympton, with help from a coach on CVs, applications and interviews. Bring any job adverts you are interested in. No appointment needed."},

	// Devon Adult Learning
	{org: "devon-adult-learning", id: "dal-esol", name: "English for Speakers of Other Languages (ESOL)", cats: "education_training",
		at: "learning-exeter", when: "mon 09:30-12:00, wed 09:30-12:00", cost: "free", fees: "Free for most learners", since: "2004-09-06", ages: "19-",
		langs: "English, Arabic, Ukrainian",
		who:   "Adults aged 19 and over whose first language is not English",
		desc:  "Free English classes from beginner to advanced, focusing on everyday situations like shopping, talking to the doctor and filling in forms. You will have a short, friendly assessment first to find the right class. Ring or call in to book; help in Arabic and Ukrainian is available."},
	{org: "devon-adult-learning", id: "dal-everyday-maths", name: "Everyday Maths", cats: "education_training",
		at: "learning-exeter", when: "tue 18:00-20:00", cost: "free", places: "7", since: "2015-09-08", ages: "19-",
		desc: "A free, friendly evening class for adults who want to feel more confident with numbers, from budgeting and percentages to helping children with homework. You can work towards a qualification if you want to, but you do not have to. Ring to book a short chat with the tutor."},
	{org: "devon-adult-learning", id: "dal-computers-beginners", name: "Computers for Complete Beginners", cats: "digital_inclusion education_training",
		at: "learning-exeter", when: "thu 10:00-12:00", cost: "£45", fees: "£45 for six weeks; free if you receive a means-tested benefit", places: "5", since: "2009-01-08", ages: "19-",
		desc: "A six-week course starting right at the beginning: using a mouse and keyboard, staying safe, email and finding things online. The group is small and the tutor goes at the pace of the class. Ring to book; laptops are provided."},
	{org: "devon-adult-learning", id: "dal-creative-writing", name: "Creative Writing", cats: "arts_creativity education_training",
		at: "learning-exeter", when: "wed 19:00-21:00", cost: "£85", fees: "£85 for ten weeks; concessions available", places: "4", since: "2011-09-07", ages: "19-",
		desc: "A ten-week course trying short stories, poetry and life writing, with gentle exercises and a supportive group. You never have to read your work aloud unless you want to. Book online or by phone."},
	{org: "devon-adult-learning", id: "dal-first-aid", name: "Emergency First Aid at Work", cats: "education_training employment_support",
		at: "learning-exeter", when: "sat 09:30-16:30", cost: "£75", places: "12", since: "2013-04-06", ages: "16-",
		desc: "A one-day course covering the first aid most workplaces need, with a certificate that lasts three years. It is practical and hands-on, and useful for job applications. Book by phone or online."},
	{org: "devon-adult-learning", id: "dal-bsl-level-1", name: "British Sign Language Level 1", cats: "education_training",
		at: "deaf-centre", when: "tue 18:30-20:30", cost: "£195", fees: "£195 including the exam", places: "3", since: "2018-09-04", ages: "16-",
		desc: "Learn the basics of British Sign Language from a Deaf tutor, including fingerspelling, everyday conversation and Deaf culture. The course runs for 20 weeks and ends with a nationally recognised qualification. Book by email or phone."},
	{org: "devon-adult-learning", id: "dal-gardening-beginners", name: "Gardening for Beginners, Newton Abbot", cats: "nature_ecotherapy education_training",
		at: "forde-orchard", when: "sat 10:00-12:00", cost: "£40", fees: "£40 for six weeks", places: "8", since: "2024-04-06",
		desc: "A six-week outdoor course in a community orchard, covering soil, sowing, pruning and growing food in small spaces. Sessions are hands-on and relaxed, with a tea break under the trees. Book by phone; wear shoes that can get muddy."},

	// Exeter Welcome Project
	{org: "exeter-welcome-project", id: "ewp-conversation-cafe", name: "English Conversation Café", cats: "education_training social_groups",
		at: "welcome-house", when: "thu 13:00-15:00", cost: "free", since: "2016-04-07", langs: "English, Arabic, Farsi, Ukrainian, Kurdish",
		desc: "Practise speaking English in a relaxed café with volunteers and other people who are new to Exeter. There are games, conversation topics and lots of tea, and no tests. Everyone is welcome whatever their level, and children can come too; just drop in."},
	{org: "exeter-welcome-project", id: "ewp-newcomers-advice", name: "Newcomers' Advice Drop-in", cats: "housing_advice money_debt_advice",
		at: "welcome-house", when: "tue 10:00-13:00", cost: "free", since: "2016-04-05", langs: "English, Arabic, Farsi, Tigrinya",
		who:  "Refugees, asylum seekers and other people new to the UK",
		desc: "Help with letters, housing, benefits, registering with a GP and school places. Interpreters are available for several languages, or we can use a phone interpreter. Just come along; you do not need an appointment."},
	{org: "exeter-welcome-project", id: "ewp-womens-sewing", name: "Women's Sewing and Chat", cats: "arts_creativity social_groups",
		at: "welcome-house", when: "fri 10:00-12:30", cost: "free", since: "2021-01-08", langs: "English, Arabic, Kurdish", who: "Women", sex: "female",
		desc: "A women-only morning of sewing, mending and making, with machines to use and fabric to share. It is a chance to practise English, learn new skills and make friends, and there is a play corner for small children. Just come in."},
	{org: "exeter-welcome-project", id: "ewp-friday-football", name: "Friday Football", cats: "physical_activity social_groups",
		at: "belmont-park", when: "fri 17:00-18:30", cost: "free", since: "2022-05-06", ages: "16-",
		desc: "A friendly kick-about in the park for anyone aged 16 and over, whatever your level, followed by drinks and snacks. Players come from all over the world and everyone plays. Wear trainers; we have bibs and balls."},
	{org: "exeter-welcome-project", id: "ewp-volunteer", name: "Welcome Volunteers", cats: "volunteering",
		at: "welcome-house", cost: "free", since: "2016-04-05", ages: "18-",
		desc: "Help newcomers feel at home in Exeter by volunteering at the conversation café, helping with homework or offering lifts. You do not need to speak another language, just to be friendly and reliable. Email us and we will invite you to the next volunteer welcome evening."},

	// Holy Trinity Fellowship
	{org: "holy-trinity-fellowship", id: "htf-sunday-gathering", name: "Sunday Gathering and Lunch", cats: "faith_groups social_groups food_support",
		at: "htf-hall", when: "sun 10:30-13:00", cost: "free", since: "1995-01-08",
		desc: "A relaxed Sunday morning service with modern music, followed by a free shared lunch that everyone is invited to stay for. You do not need to know anything about church or believe anything to come; many people come just for the lunch and company. A welcomer at the door will show you where to sit."},
	{org: "holy-trinity-fellowship", id: "htf-open-church", name: "Tuesday Open Church", cats: "faith_groups social_groups",
		at: "htf-hall", when: "tue 10:00-12:00", cost: "free", led: true, since: "2010-01-05",
		desc: "The church is open for anyone who wants a quiet moment, a chat or somewhere warm to sit, with fresh coffee in the hall. Someone is available to pray with you if you would like, but nobody will push you. Just walk in."},
	{org: "holy-trinity-fellowship", id: "htf-living-with-loss", name: "Living with Loss Course", cats: "bereavement_support faith_groups",
		at: "htf-hall", when: "mon 19:30-21:00", cost: "free", places: "6", since: "2014-01-13", ages: "18-",
		desc: "A seven-week evening course for anyone who has been bereaved, with a short film, a meal and time to talk in a small group. It is open to people of any faith or none and gently explores grief, anger, memories and hope. Ring the office to book a place."},
	{org: "holy-trinity-fellowship", id: "htf-money-confidence", name: "Money Confidence Course", cats: "money_debt_advice education_training",
		at: "htf-hall", when: "wed 19:00-20:30", cost: "free", places: "6", since: "2024-10-02",
		desc: "A free three-week course on making a simple budget, dealing with debt and saving a little, with trained coaches and no judgement. You can also have a confidential one-to-one session afterwards. Ring to book; you do not need to be a churchgoer."},

	// Al-Noor Community Centre
	{org: "al-noor-centre", id: "anc-open-mosque", name: "Open Mosque Afternoon", cats: "faith_groups social_groups",
		at: "al-noor", when: "sat 14:00-16:00", cost: "free", since: "2010-05-08", langs: "English, Arabic, Urdu, Bengali",
		desc: "Visitors of any faith or none are welcome to look round, ask questions and share tea and sweets with members of the community. Please take your shoes off in the prayer hall; scarves are available for women who would like one but visitors do not have to cover. Just come along."},
	{org: "al-noor-centre", id: "anc-sisters-circle", name: "Sisters' Coffee Circle", cats: "faith_groups social_groups support_groups",
		at: "al-noor", when: "fri 11:00-13:00", cost: "free", since: "2019-09-06", langs: "English, Arabic, Urdu", who: "Women, of any faith or none", sex: "female",
		desc: "A relaxed women-only morning of coffee, conversation and sometimes a guest speaker on health, parenting or wellbeing. Many women come who are new to Exeter or would like to make friends. You do not need to be Muslim; just come in through the side door."},
	{org: "al-noor-centre", id: "anc-food-share", name: "Thursday Food Share", cats: "food_support faith_groups",
		at: "al-noor", when: "thu 17:00-19:00", cost: "free", since: "2020-04-02",
		desc: "Free bags of groceries and a hot meal to take away, for anyone who needs them, with no questions asked. Halal and vegetarian food is available. Volunteers will greet you at the door."},

	// Home Safe Devon
	{org: "home-safe-devon", id: "hsd-advice-line", name: "Housing Advice Line", cats: "housing_advice",
		at: "hsd-exeter", cost: "free", since: "2002-06-03", access: "phone",
		desc: "Free, confidential advice if you are homeless, worried about losing your home, living in poor conditions or struggling with rent. An adviser will explain your options and rights and can contact the council or your landlord for you. Ring on weekdays; if you have nowhere to stay tonight, say so and we will call you back first."},
	{org: "home-safe-devon", id: "hsd-exeter-drop-in", name: "Housing Drop-in, Exeter", cats: "housing_advice money_debt_advice",
		at: "hsd-exeter", when: "mon 10:00-12:30, thu 10:00-12:30", cost: "free", since: "2002-06-03",
		desc: "See a housing adviser in person about a problem with your home, rent or landlord, or if you are about to become homeless. Bring any letters or notices you have been given. There is no need to book, and there is a quiet room if you would rather not talk in the waiting area."},
	{org: "home-safe-devon", id: "hsd-torquay-drop-in", name: "Housing Drop-in, Torquay", cats: "housing_advice",
		at: "torquay-advice", when: "wed 10:00-13:00", cost: "free", since: "2009-01-07",
		desc: "Face-to-face housing advice for people in Torbay, including help with homeless applications, disrepair and rent arrears. An adviser can help you fill in forms and go with you to appointments if you are anxious. Just walk in."},
	{org: "home-safe-devon", id: "hsd-ready-to-rent", name: "Ready to Rent Course", cats: "housing_advice education_training",
		at: "hsd-exeter", when: "tue 13:30-15:30", cost: "free", places: "8", since: "2017-05-02", ages: "16-",
		desc: "A four-session course on finding and keeping a home: budgeting for rent and bills, your rights and responsibilities, and talking to landlords. You get a certificate that some landlords and letting agents welcome. Ring to book a place."},
	{org: "home-safe-devon", id: "hsd-plympton-advice", name: "Housing Advice, Plympton", cats: "housing_advice",
		at: "ridgeway-hall", when: "fri 10:00-12:00", cost: "free", since: "2026-04-03",
		desc: "A new weekly housing advice session in Plympton for tenants and homeowners with housing problems. Bring any letters you have received. No appointment needed."},

	// Dart Valley Ramblers
	{org: "dart-valley-ramblers", id: "dvr-tuesday-rambles", name: "Tuesday Rambles", cats: "walking_groups",
		at: "totnes-plains", when: "tue 10:00-13:00", cost: "free", fees: "Free; bring money for a drink afterwards", led: true, since: "2004-03-02", access: "terrain",
		desc: "Walks of four to six miles along the river Dart and nearby lanes, with a stop for a flask. It suits people who are reasonably fit and would like company on the paths. New walkers are welcome; ring the walk leader the day before so we know to look out for you."},
	{org: "dart-valley-ramblers", id: "dvr-short-slow", name: "Short and Slow Walks", cats: "walking_groups physical_activity",
		at: "totnes-plains", when: "fri 10:30-11:30", cost: "free", led: true, since: "2025-06-06",
		desc: "An hour's gentle walk on level paths by the river, for people who are new to walking, recovering from illness or just prefer to take it easy. We stop often and nobody is left behind. Just turn up at the benches."},
	{org: "dart-valley-ramblers", id: "dvr-footpath-volunteers", name: "Footpath Volunteers", cats: "volunteering nature_ecotherapy",
		at: "totnes-plains", when: "sat 09:30-13:00", cost: "free", led: true, since: "2012-04-14", access: "terrain",
		desc: "Help keep local footpaths open by cutting back brambles, clearing drains and fixing signs, working in a small, friendly team. Tools, gloves and training are provided. Ring to find out where we are working this week."},

	// North Devon Together
	{org: "north-devon-together", id: "ndt-community-cafe", name: "Community Café, Barnstaple", cats: "social_groups food_support volunteering",
		at: "ndt-hub", when: "mon 10:00-14:00, wed 10:00-14:00, fri 10:00-14:00", fees: "Pay as you feel", since: "2015-03-02",
		desc: "A café run by volunteers where you can get a hot meal, a drink and a chat, and pay what you can afford. It is a welcoming place to sit for as long as you like. If you would like to volunteer in the kitchen or front of house, ask at the counter."},
	{org: "north-devon-together", id: "ndt-mens-breakfast", name: "Men's Breakfast Club", cats: "social_groups mental_health_support",
		at: "ndt-hub", when: "sat 09:00-10:30", cost: "£3", since: "2025-02-01", ages: "18-", who: "Men aged 18 and over", sex: "male",
		desc: "A cooked breakfast and a chance to talk, or not, with other men on a Saturday morning. Sometimes there is a guest, such as a coach or a mental health worker, but mostly it is just good company. Just turn up."},
	{org: "north-devon-together", id: "ndt-ilfracombe-lunch", name: "Ilfracombe Harbour Lunch Club", cats: "social_groups food_support",
		at: "ilfracombe-rooms", when: "tue 12:00-14:00", cost: "£5", since: "2000-05-02", ages: "60-",
		desc: "A hot two-course lunch by the harbour with a friendly crowd, followed by bingo or a sing-song. Volunteer drivers can bring you if you cannot get there yourself. Ring by Monday to book your lunch."},
	{org: "north-devon-together", id: "ndt-south-molton-friendship", name: "South Molton Friendship Club", cats: "social_groups hobbies_interests",
		at: "southmolton", when: "thu 14:00-16:00", cost: "£2", led: true, since: "1999-01-07",
		desc: "An afternoon of cards, board games, talks and outings, with tea and cake, for anyone who would like company. Most members are retired and many live on their own. Just come along; you will be made very welcome."},
	{org: "north-devon-together", id: "ndt-phone-tablet-help", name: "Phone and Tablet Help", cats: "digital_inclusion",
		at: "ndt-hub", when: "thu 10:00-12:00", cost: "free", since: "2021-01-07",
		desc: "Patient, one-to-one help with phones and tablets, from sending photos to booking a GP appointment online. Bring your device and any passwords you have. Just drop in."},

	// Moorside Community Centre
	{org: "moorside-community-centre", id: "mcc-lunch-club", name: "Moorside Lunch Club", cats: "social_groups food_support",
		at: "moorside", when: "tue 12:00-14:00", cost: "£5", led: true, since: "2001-02-06", ages: "60-",
		desc: "A home-cooked roast or stew with pudding, served by volunteers, with a raffle and plenty of conversation. It is for older people in Okehampton and the nearby villages, and transport can be arranged. Ring by Friday to book a place."},
	{org: "moorside-community-centre", id: "mcc-hatherleigh-coffee", name: "Hatherleigh Coffee Stop", cats: "social_groups",
		at: "hatherleigh-hall", when: "fri 10:00-12:00", cost: "free", fees: "Free; donations welcome", led: true, since: "2010-04-09",
		desc: "A Friday morning coffee stop in the village hall, with cake, a book swap and the local news. It is a good way to meet neighbours if you are new to the village or live on your own. Just drop in."},
	{org: "moorside-community-centre", id: "mcc-seated-dance", name: "Seated Dance and Movement", cats: "physical_activity",
		at: "moorside", when: "thu 10:30-11:30", cost: "£3", since: "2025-10-02",
		desc: "Move to music from the 1950s onwards, sitting down or standing as you prefer, with a friendly instructor. It is good for joints, mood and balance, and a lot of fun. No experience needed; just come along in comfortable clothes."},
	{org: "moorside-community-centre", id: "mcc-work-skills", name: "Okehampton Work and Skills Drop-in", cats: "employment_support digital_inclusion",
		at: "okehampton-lib", when: "wed 13:00-15:00", cost: "free", since: "2024-02-07", ages: "16-",
		desc: "Help with job hunting, CVs, online applications and basic computer skills, for people in Okehampton and West Devon. A coach and volunteers can help you one to one. Drop in during the session."},

	// Tavistock Tuesday Club
	{org: "tavistock-tuesday-club", id: "ttc-tuesday-club", name: "Tavistock Tuesday Club", cats: "social_groups food_support",
		at: "bedford-rooms", when: "tue 11:30-14:30", cost: "£6", fees: "£6 for lunch, tea and the afternoon's entertainment", led: true, since: "1995-05-02", ages: "60-",
		desc: "Lunch, a game of bingo or a visiting speaker, and plenty of chat, every Tuesday. Members are mostly over 70 and many come on their own. Ring the organiser if you would like to come, and ask about a lift."},
	{org: "tavistock-tuesday-club", id: "ttc-singalong", name: "Tavistock Singalong", cats: "singing_groups social_groups",
		at: "bedford-rooms", when: "thu 14:00-15:00", cost: "£2", led: true, since: "2019-01-10",
		desc: "An hour of singing favourite songs from musicals, the war years and the sixties, with a pianist and song sheets in large print. You do not have to sing well, or even sing at all. Just come along and enjoy it."},

	// Eastside Community Trust
	{org: "eastside-community-trust", id: "ect-plymstock-lunch", name: "Plymstock Lunch Club", cats: "social_groups food_support",
		at: "plymstock-rooms", when: "wed 12:00-14:00", cost: "£4.50", since: "2006-03-01", ages: "55-",
		desc: "A freshly cooked two-course lunch and good company, every Wednesday. New members are always welcome and volunteers make sure newcomers are introduced. Ring to book by Monday."},
	{org: "eastside-community-trust", id: "ect-plympton-health-walk", name: "Plympton Health Walk", cats: "walking_groups physical_activity",
		at: "ridgeway-hall", when: "mon 10:30-11:30", cost: "free", led: true, since: "2011-05-09",
		desc: "A short, sociable walk around Plympton's parks at an easy pace, led by trained volunteers. It is a good first step if you are less active than you would like. Meet outside the hall; no need to book."},
	{org: "eastside-community-trust", id: "ect-food-pantry", name: "Eastside Food Pantry", cats: "food_support",
		at: "eastside", when: "fri 13:00-15:30", cost: "£3.50", fees: "£3.50 for a shop worth around £15", since: "2022-01-07",
		desc: "A membership food pantry where you choose your own groceries, including fresh and frozen food, for a small weekly payment. Anyone living locally can join; bring proof of address on your first visit. There is tea and a chat while you wait."},
	{org: "eastside-community-trust", id: "ect-digital-cafe", name: "Digital Café", cats: "digital_inclusion social_groups",
		at: "eastside", when: "tue 10:00-12:00", cost: "free", since: "2021-09-07",
		desc: "A friendly café where volunteers help you with phones, tablets and computers over a cup of tea. You can also borrow a laptop to use while you are here. Drop in whenever suits you during the session."},
	{org: "eastside-community-trust", id: "ect-money-matters", name: "Money Matters Drop-in", cats: "money_debt_advice",
		at: "eastside", when: "thu 10:00-12:00", cost: "free", since: "2024-05-02",
		desc: "Talk to a trained money adviser about bills, debts, benefits or making your money go further. It is free, confidential and nobody will judge you. Just drop in; bring any letters you are worried about."},

	// Honiton Community Hub
	{org: "honiton-community-hub", id: "hch-coffee-morning", name: "Honiton Hub Coffee Morning", cats: "social_groups",
		at: "honiton-hub", when: "sat 10:00-12:00", cost: "free", led: true, since: "2012-09-01",
		desc: "A busy, friendly coffee morning on market day, with cake, a book stall and information about what is on in town. Volunteers look out for people on their own and will happily sit and chat. Just drop in."},
	{org: "honiton-community-hub", id: "hch-health-walk", name: "Honiton Health Walk", cats: "walking_groups",
		at: "honiton-hub", when: "wed 10:00-11:00", cost: "free", led: true, since: "2013-04-03",
		desc: "A gentle hour's walk from the hub around the town and river paths, with volunteer leaders. The route avoids steep hills and there are places to rest. Meet outside the hub; no booking needed."},
	{org: "honiton-community-hub", id: "hch-advice-point", name: "Honiton Advice Point", cats: "money_debt_advice housing_advice",
		at: "honiton-hub", when: "tue 10:00-12:00", cost: "free", since: "2015-01-06",
		desc: "A weekly session with advisers who can help with benefits, debts, housing problems and forms. If they cannot help straight away, they will find someone who can. Drop in, or ring to book a time."},
	{org: "honiton-community-hub", id: "hch-axe-valley-lunch", name: "Axe Valley Lunch Club", cats: "social_groups food_support",
		at: "axminster-rooms", when: "thu 12:00-14:00", cost: "£5", since: "2003-01-09", ages: "60-",
		desc: "A hot lunch with pudding and a cup of tea, followed by a quiz or entertainment. Many members live alone and enjoy the company as much as the food. Ring to book your place by Tuesday."},
	{org: "honiton-community-hub", id: "hch-ottery-garden", name: "Ottery Community Garden", cats: "nature_ecotherapy volunteering",
		at: "ottery-rooms", when: "fri 10:00-12:30", cost: "free", led: true, since: "2025-03-07",
		desc: "A new community garden behind the rooms, where volunteers are building raised beds, a herb garden and a wildlife pond. Come and help for an hour or the whole morning, with tea and biscuits at half time. No gardening experience needed."},

	// Sidmouth Seaside Singers
	{org: "sidmouth-seaside-singers", id: "sss-choir", name: "Sidmouth Seaside Singers", cats: "singing_groups",
		at: "blackmore-rooms", when: "mon 19:00-21:00", cost: "£3", led: true, since: "2010-09-06",
		desc: "A friendly community choir singing everything from folk songs to pop, with concerts in summer and at Christmas. There are no auditions and you do not need to read music. Come and try a couple of evenings before you decide."},
	{org: "sidmouth-seaside-singers", id: "sss-shanty-singers", name: "Budleigh Shanty Singers", cats: "singing_groups hobbies_interests",
		at: "budleigh-rooms", when: "thu 19:30-21:00", cost: "£2", led: true, since: "2018-05-03",
		desc: "Rousing sea shanties and folk songs sung together with gusto, with a pint afterwards for those who want one. New voices of any kind are welcome. Just turn up on a Thursday."},

	// Dawlish Coast Volunteers
	{org: "dawlish-coast-volunteers", id: "dcv-beach-clean", name: "Beach Clean and Wildlife Survey", cats: "volunteering nature_ecotherapy",
		at: "dawlish-warren", when: "sun 10:00-12:00", cost: "free", led: true, since: "2014-04-06",
		desc: "Help clear litter from the beach and record the birds and plants we see, with experienced volunteers to show you what to look for. Litter pickers, bags and gloves are provided. Children are welcome with an adult; just meet at the visitor centre."},
	{org: "dawlish-coast-volunteers", id: "dcv-dune-care", name: "Dune Care Tuesdays", cats: "volunteering nature_ecotherapy physical_activity",
		at: "dawlish-warren", when: "tue 09:30-12:30", cost: "free", since: "2017-03-07", ages: "16-",
		desc: "Practical conservation work on the dunes, such as clearing invasive plants and repairing fences, with a ranger. It is outdoor, active work in a beautiful place and a good way to meet people. Ring before your first session so we can tell you where to meet."},

	// Harbour Arts Teignmouth
	{org: "harbour-arts-teignmouth", id: "hat-drop-in", name: "Harbour Arts Drop-in", cats: "arts_creativity social_groups",
		at: "harbour-arts", when: "thu 10:00-13:00", cost: "£4", since: "2013-01-10",
		desc: "A creative morning in a bright studio by the river, with materials for painting, printing and collage, and an artist to help. Work on your own project or join in with the week's idea. Just drop in."},
	{org: "harbour-arts-teignmouth", id: "hat-ukulele", name: "Ukulele for Beginners", cats: "arts_creativity hobbies_interests",
		at: "harbour-arts", when: "tue 18:30-20:00", cost: "£4", since: "2016-09-06",
		desc: "Learn to play simple songs on the ukulele in a cheerful, forgiving group. Ukuleles are available to borrow while you decide whether to buy one. No musical experience needed; just come along."},
	{org: "harbour-arts-teignmouth", id: "hat-youth-art-club", name: "Youth Art Club", cats: "arts_creativity",
		at: "harbour-arts", when: "wed 16:00-17:30", cost: "free", since: "2024-01-10", ages: "11-18",
		desc: "An after-school art club for young people aged 11 to 18, with drawing, comics, painting and digital art. It is relaxed and welcoming, and a good place for young people who find busy clubs too much. Parents or carers can ring to book a first visit."},

	// Ivybridge Community Larder
	{org: "ivybridge-community-larder", id: "icl-larder", name: "Ivybridge Community Larder", cats: "food_support",
		at: "ivybridge-larder", when: "tue 14:00-16:00, sat 10:00-12:00", cost: "£3", fees: "£3 for ten items", led: true, since: "2021-05-04",
		desc: "A community larder where anyone can choose ten items of food and household goods for £3, with fresh bread and vegetables when we have them. There are no forms and no need to show you are on a low income. Just come in during opening hours."},
	{org: "ivybridge-community-larder", id: "icl-soup-company", name: "Soup and Company", cats: "food_support social_groups",
		at: "ivybridge-larder", when: "thu 12:00-13:30", cost: "free", led: true, since: "2023-01-12",
		desc: "Free homemade soup and bread, served at a big table where everyone sits together. Come for the soup, stay for the chat. Just turn up."},

	// Exmouth Community Kitchen
	{org: "exmouth-community-kitchen", id: "eck-shared-table", name: "Shared Table Supper", cats: "food_support social_groups",
		at: "exmouth-kitchen", when: "wed 17:30-19:00", fees: "Pay what you can", since: "2019-01-09",
		desc: "A hot two-course supper cooked from surplus food and shared around long tables, where everyone pays what they can. Families, older people and people on their own all come, and there is always someone to chat to. Just turn up."},
	{org: "exmouth-community-kitchen", id: "eck-cooking-confidence", name: "Cooking with Confidence", cats: "food_support education_training",
		at: "exmouth-kitchen", when: "mon 10:00-13:00", cost: "£30", fees: "£30 for five weeks; free places for people on a low income", places: "4", since: "2020-09-07",
		desc: "A five-week course for people who want to cook more from scratch, whether you are cooking for one or a family. Each week you make two simple dishes and eat lunch together. Ring to book, and tell us about any allergies."},
	{org: "exmouth-community-kitchen", id: "eck-kitchen-volunteers", name: "Kitchen Volunteers", cats: "volunteering food_support",
		at: "exmouth-kitchen", cost: "free", since: "2019-01-09", ages: "16-",
		desc: "Help prepare and serve meals, wash up or collect surplus food from shops, on a day and time that suits you. You will get a food hygiene certificate and join a friendly team. Ring or email us to arrange a visit."},

	// Park Strollers Devon
	{org: "park-strollers-devon", id: "psd-belmont-stroll", name: "Belmont Saturday Stroll 5k", cats: "walking_groups physical_activity",
		at: "belmont-park", when: "sat 09:00-10:00", cost: "free", led: true, since: "2019-06-01",
		desc: "A free, timed 5k walk (or jog, if you like) around the park every Saturday morning, finishing with coffee. It is not a race: many people walk all the way and a volunteer always walks at the back to keep you company. Register once online, bring your barcode and just turn up."},
	{org: "park-strollers-devon", id: "psd-courtenay-stroll", name: "Courtenay Park Saturday Stroll", cats: "walking_groups physical_activity",
		at: "courtenay-park", when: "sat 09:00-10:00", cost: "free", led: true, since: "2022-03-05",
		desc: "Walk, jog or push a buggy round a flat 5k course in the park, with volunteers cheering you on and a tail walker so nobody finishes last alone. Your time is sent to you by email if you register. Come a few minutes early on your first visit for a short welcome talk."},
	{org: "park-strollers-devon", id: "psd-rock-park-stroll", name: "Rock Park Saturday Stroll", cats: "walking_groups physical_activity",
		at: "rock-park", when: "sat 09:00-10:00", cost: "free", led: true, since: "2023-04-01",
		desc: "Barnstaple's free Saturday morning 5k walk along the river and through the park, followed by a drink in the café. All paces are welcome and walkers of all ages take part. Just turn up a few minutes before 9."},
	{org: "park-strollers-devon", id: "psd-volunteer", name: "Stroll Volunteers", cats: "volunteering",
		at: "belmont-park", when: "sat 08:30-10:30", cost: "free", led: true, since: "2019-06-01",
		desc: "Help put out the course markers, time the walkers, scan barcodes or walk at the back. It takes no experience and is a cheerful way to start a Saturday. Email us or just ask the team on the day."},

	// Digital Buddies Devon
	{org: "digital-buddies-devon", id: "dbd-borrow-tablet", name: "Borrow a Tablet", cats: "digital_inclusion",
		at: "cranbrook-hub", cost: "free", places: "15", since: "2020-06-01", access: "phone",
		who:  "Devon residents who do not have a suitable device or internet at home",
		desc: "Borrow a tablet with free mobile data for up to six months, with a volunteer to help you set it up and learn the basics. Ring us and we will talk through what you need. A volunteer can visit you at home if you cannot get out."},
	{org: "digital-buddies-devon", id: "dbd-cranbrook-drop-in", name: "Cranbrook Digital Drop-in", cats: "digital_inclusion",
		at: "cranbrook-hub", when: "mon 13:00-15:00", cost: "free", since: "2025-09-01",
		desc: "Help with phones, tablets and laptops in the town square hub, from setting up email to using apps for the bus, the doctor or the council. Volunteers will sit with you and go at your pace. Just drop in."},
	{org: "digital-buddies-devon", id: "dbd-staying-safe-online", name: "Staying Safe Online", cats: "digital_inclusion education_training",
		at: "exmouth-library", when: "tue 10:30-12:00", cost: "free", places: "6", since: "2024-02-06",
		desc: "A short, friendly session on spotting scam calls, texts and emails, making strong passwords and shopping safely online. Bring your phone if you would like help checking its settings. Ring the library to book a place."},
	{org: "digital-buddies-devon", id: "dbd-kingsbridge-tech-cafe", name: "Kingsbridge Tech Café", cats: "digital_inclusion social_groups",
		at: "kingsbridge-hall", when: "wed 10:00-12:00", cost: "free", since: "2022-05-04",
		desc: "Coffee, cake and help with technology, from a broken email to trying a video call with family abroad. Lots of people come along every week, so it is as much a social as a class. Just drop in."},

	// Devon Rural Lunch Clubs
	{org: "devon-rural-lunch-clubs", id: "drlc-chudleigh", name: "Chudleigh Friendship Lunch", cats: "social_groups food_support",
		at: "chudleigh-rooms", when: "wed 12:00-14:00", cost: "£5", led: true, since: "1998-04-01", ages: "60-",
		desc: "A two-course lunch cooked by volunteers, with a raffle and a chat, for older people in Chudleigh and nearby. Lifts can sometimes be arranged. Ring by Monday to book."},
	{org: "devon-rural-lunch-clubs", id: "drlc-moretonhampstead", name: "Moretonhampstead Lunch Club", cats: "social_groups food_support",
		at: "moreton-rooms", when: "fri 12:00-14:00", cost: "£5", led: true, since: "2005-10-07", stale: 11, ages: "60-",
		desc: "A warm welcome, a home-cooked meal and good company for older people living on the edge of the moor. Special diets can be catered for if you tell us in advance. Ring to book your place."},
	{org: "devon-rural-lunch-clubs", id: "drlc-witheridge", name: "Witheridge Village Lunch", cats: "social_groups food_support",
		at: "witheridge-rooms", when: "tue 12:00-14:00", cost: "£4.50", led: true, since: "2009-01-06",
		desc: "A village lunch in the church rooms, open to anyone who would like a hot meal and some company. There are usually about twenty people, a mix of long-time villagers and newcomers. Ring the organiser to book."},
	{org: "devon-rural-lunch-clubs", id: "drlc-chulmleigh", name: "Chulmleigh Lunch and Chat", cats: "social_groups food_support",
		at: "chulmleigh-rooms", when: "thu 12:00-14:00", cost: "£5", led: true, since: "2012-02-02",
		desc: "Soup, a main course and pudding, served in the Old Court Rooms by a friendly team of volunteers. The lunch is followed by tea and a natter, and sometimes a speaker. Ring by Tuesday to book."},
	{org: "devon-rural-lunch-clubs", id: "drlc-cullompton-soup", name: "Cullompton Soup Lunch", cats: "social_groups food_support",
		at: "cullompton", when: "mon 12:00-13:30", cost: "£3", led: true, since: "2025-11-03",
		desc: "A new Monday soup lunch with bread, cake and tea, for anyone in Cullompton who would like company at lunchtime. There is no need to book; just come in."},

	// Devon Deaf Connect
	{org: "devon-deaf-connect", id: "ddc-deaf-social", name: "Deaf Social Evening", cats: "social_groups support_groups",
		at: "deaf-centre", when: "fri 18:30-21:30", cost: "free", since: "1996-01-05", langs: "British Sign Language, English",
		desc: "A relaxed social evening for Deaf people, people with hearing loss and BSL users, with games, news and chat. BSL learners are welcome too. Just come along; the door is opened by a volunteer."},
	{org: "devon-deaf-connect", id: "ddc-hearing-loss-group", name: "Hearing Loss Support Group", cats: "support_groups",
		at: "deaf-centre", when: "wed 10:30-12:00", cost: "free", since: "2008-09-03", langs: "English, British Sign Language",
		who:  "Adults whose hearing has got worse, and their families",
		desc: "A small group for people losing their hearing in later life, sharing tips on lipreading, hearing aids, phones and coping in noisy places. A volunteer can help with hearing aid tubing and batteries. Everyone speaks in turn and the room has a hearing loop; just come along."},
	{org: "devon-deaf-connect", id: "ddc-bsl-taster", name: "BSL Taster Sessions", cats: "education_training hobbies_interests",
		at: "deaf-centre", when: "mon 18:00-19:30", cost: "£5", since: "2023-01-16", langs: "British Sign Language",
		desc: "Learn some everyday British Sign Language from Deaf tutors in a fun, relaxed evening. It is a good first step before a full course, or for families of Deaf children. Book by email or just turn up."},

	// Living Well with Pain Devon
	{org: "living-well-with-pain", id: "lwp-exeter-group", name: "Living Well with Pain Group", cats: "support_groups",
		at: "southernhay", when: "thu 14:00-15:30", cost: "free", since: "2012-02-02", ages: "18-",
		who:  "Adults living with long-term pain",
		desc: "A peer support group for people living with long-term pain, sharing what helps with pacing, sleep, flare-ups and talking to doctors. Comfortable chairs are available and you can stand or move whenever you need to. Just come along, or ring first if you would like to talk to the organiser."},
	{org: "living-well-with-pain", id: "lwp-gentle-movement", name: "Gentle Movement for Pain", cats: "physical_activity support_groups",
		at: "stthomas-hall", when: "tue 10:00-11:00", cost: "£3", since: "2020-01-07", ages: "18-",
		desc: "A very gentle exercise class designed with physiotherapists for people living with pain, mostly done in a chair. You can stop or rest at any point and nobody will mind. Ring before your first class so the instructor knows you are coming."},
	{org: "living-well-with-pain", id: "lwp-newton-abbot-group", name: "Pain Support Group, Newton Abbot", cats: "support_groups",
		at: "na-library", when: "mon 14:00-15:30", cost: "free", since: "2024-05-13", ages: "18-",
		desc: "A peer group for people living with long-term pain in Teignbridge, meeting in a quiet room at the library. Each session has a short topic and plenty of time to talk. Just come along."},

	// Exe Parkinson's Friends
	{org: "exe-parkinsons-friends", id: "epf-meet-up", name: "Parkinson's Friends Meet-up", cats: "support_groups social_groups",
		at: "pinhoe-hall", when: "wed 14:00-16:00", cost: "free", fees: "Free; donations welcome", led: true, since: "2009-05-06",
		who:  "People with Parkinson's, their partners, families and friends",
		desc: "An afternoon of tea, chat and sometimes a speaker, for people with Parkinson's and the people close to them. Members share tips and look out for each other. Newcomers are always welcome; just come along."},
	{org: "exe-parkinsons-friends", id: "epf-move", name: "Move for Parkinson's", cats: "physical_activity support_groups",
		at: "pinhoe-hall", when: "fri 10:30-11:30", cost: "£4", led: true, since: "2015-01-09",
		desc: "An exercise class led by a specialist instructor, focused on balance, strength and moving with confidence. Exercises can be done seated or standing. Ring before your first session."},
	{org: "exe-parkinsons-friends", id: "epf-sing", name: "Sing for Parkinson's", cats: "singing_groups support_groups",
		at: "pinhoe-hall", when: "mon 14:00-15:00", cost: "£3", led: true, since: "2018-01-08",
		desc: "Singing and voice exercises that help with breathing, swallowing and speaking clearly, led by a music therapist. It is lots of fun and you do not need to be able to sing. Just come along with a partner or friend if you like."},

	// Torbay Stroke Club
	{org: "torbay-stroke-club", id: "tsc-stroke-club", name: "Stroke Club", cats: "support_groups social_groups",
		at: "torre-hall", when: "tue 13:30-15:30", cost: "£3", since: "1996-09-03",
		who:  "People who have had a stroke, and their families and carers",
		desc: "A friendly weekly club for stroke survivors and their families, with games, gentle exercise, talks and trips. Members understand what recovery is like and support each other. Transport can be arranged; ring to find out more."},
	{org: "torbay-stroke-club", id: "tsc-talking-again", name: "Talking Again Group", cats: "support_groups",
		at: "torre-hall", when: "thu 10:30-12:00", cost: "free", places: "2", since: "2018-01-11",
		who:  "People with aphasia or other communication difficulties after a stroke",
		desc: "A small, patient group for people whose speech or understanding has been affected by a stroke. Volunteers use pictures, gestures and writing, and there is never any rush. Ring so we can meet you before your first session."},

	// Devon Volunteer Link
	{org: "devon-volunteer-link", id: "dvl-find-role", name: "Find Your Volunteering Role", cats: "volunteering",
		at: "dvl-exeter", when: "tue 10:00-13:00, thu 10:00-13:00", cost: "free", since: "2001-04-03", ages: "16-",
		desc: "Talk to an adviser about what you enjoy and how much time you have, and find a volunteering role that suits you, from gardening to driving to helping at a café. There are hundreds of local roles. Drop in or book a phone chat."},
	{org: "devon-volunteer-link", id: "dvl-supported-volunteering", name: "Supported Volunteering", cats: "volunteering mental_health_support",
		at: "dvl-exeter", cost: "free", since: "2014-06-02", ages: "18-",
		who:  "Adults who would like extra support to start volunteering, for example because of disability, mental health or low confidence",
		desc: "A worker helps you choose a role, comes with you on your first few visits and keeps in touch while you settle in. It is for people who would like to volunteer but feel nervous or need some adjustments. Ring or email to arrange a relaxed first chat."},
	{org: "devon-volunteer-link", id: "dvl-volunteer-drivers", name: "Volunteer Community Drivers", cats: "volunteering befriending",
		at: "dvl-exeter", cost: "free", since: "2005-02-01", ages: "21-",
		desc: "Use your own car to take people to medical appointments, shops and lunch clubs, and get your mileage paid. Many drivers become a friendly regular face for the people they drive. Ring to find out more; you need a full licence and a few hours a month."},
	{org: "devon-volunteer-link", id: "dvl-paignton-drop-in", name: "Volunteering Drop-in, Paignton", cats: "volunteering",
		at: "paignton-centre", when: "wed 10:00-12:00", cost: "free", since: "2024-02-07", ages: "16-",
		desc: "A weekly drop-in where you can find out about volunteering in Torbay and be introduced to groups looking for help. Come with an idea, or with no idea at all. Just drop in."},

	// Exmouth Sea Dippers
	{org: "exmouth-sea-dippers", id: "esd-morning-dip", name: "Morning Sea Dip", cats: "physical_activity social_groups nature_ecotherapy",
		at: "exmouth-seafront", when: "wed 08:00-09:00, sat 08:00-09:00", cost: "free", led: true, since: "2020-06-03", ages: "18-",
		desc: "A friendly group that dips or swims in the sea all year, followed by hot drinks on the beach. Newcomers are buddied up with an experienced dipper and shown how to get in safely; you only go in as far as you want. Bring a towel, warm clothes and something to wear on your feet."},

	// Exeter Youth Hub
	{org: "exeter-youth-hub", id: "eyh-drop-in", name: "Young People's Drop-in", cats: "social_groups mental_health_support",
		at: "youth-hub", when: "mon 15:30-18:00, wed 15:30-18:00", cost: "free", since: "2011-09-05", ages: "16-25",
		desc: "A safe, relaxed space for young people aged 16 to 25 to hang out, play games, get some food and talk to a youth worker if something is on their mind. You do not need a reason to come. Just walk in; a worker will say hi and show you round."},
	{org: "exeter-youth-hub", id: "eyh-work-training", name: "Work and Training Coaching", cats: "employment_support education_training",
		at: "youth-hub", when: "thu 13:00-16:00", cost: "free", since: "2014-01-09", ages: "16-25",
		desc: "One-to-one help for young people who are not in work, education or training to work out what they want to do next. A coach can help with CVs, apprenticeships, college applications and interview practice. Drop in or message us to book a time."},
	{org: "exeter-youth-hub", id: "eyh-housing-advice", name: "Youth Housing Advice", cats: "housing_advice",
		at: "youth-hub", when: "fri 10:00-13:00", cost: "free", since: "2013-04-05", ages: "16-25",
		desc: "Advice for young people who have nowhere to stay, are sofa-surfing or need to leave home. A worker will help you understand your options and can go with you to the council. Come in, or ring if you need help today."},

	// Devon Interfaith Friends
	{org: "devon-interfaith-friends", id: "dif-neighbours-tea", name: "Meet Your Neighbours Tea, Barnstaple", cats: "faith_groups social_groups",
		at: "ndt-hub", when: "sun 15:00-17:00", cost: "free", led: true, since: "2025-01-12",
		desc: "An afternoon tea hosted by people from different faith communities in North Devon, with food from many traditions. Everyone is welcome, whatever they believe, and it is a good way to meet people if you are new to the area. Just come along."},
	{org: "devon-interfaith-friends", id: "dif-walk-talk", name: "Interfaith Walk and Talk", cats: "faith_groups walking_groups",
		at: "courtenay-park", when: "sun 14:00-15:30", cost: "free", led: true, since: "2024-04-14",
		desc: "A gentle walk with people of different faiths and none, talking about life, belief and whatever comes up. There are no sermons and no pressure, just friendly conversation. Meet at the bandstand."},
	{org: "devon-interfaith-friends", id: "dif-meditation-circle", name: "Quiet Meditation Circle, Totnes", cats: "faith_groups mental_health_support",
		at: "totnes-civic", when: "mon 19:00-20:00", cost: "free", fees: "Free; donations welcome", led: true, since: "2007-01-08",
		desc: "Half an hour of guided silent meditation followed by tea and quiet conversation. It is open to people of any faith or none, and beginners are shown how to sit comfortably on a chair or cushion. Just come along; please arrive a few minutes early."},
	{org: "devon-interfaith-friends", id: "dif-brixham-welcome", name: "Brixham Harbour Chapel Welcome", cats: "faith_groups social_groups",
		at: "brixham-chapel", when: "thu 10:00-12:00", cost: "free", led: true, since: "2002-05-02",
		desc: "The chapel rooms are open for coffee, toast and a friendly welcome on Thursday mornings, for fishermen, visitors and anyone in town. Someone is available to talk or pray with you if you would like, but there is no expectation. Just walk in."},
}
