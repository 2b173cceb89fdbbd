// Package synthetic makes a national directory for oikos-bench's load
// tests: realistic names, descriptions, categories, places and opening
// times for any number of services, spread over every UK postcode
// district, written straight to the database in large multi-row INSERTs.
package synthetic

import (
	"context"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/postcode"
	"oikos/internal/taxonomy"
)

// Term is something a person might type into the search box for
// the synthetic directory, with the category it is about.
type Term struct {
	Text     string
	Category string
}

// Terms lists the search phrases the synthetic directory's text is
// built around (each appears in the names or descriptions it generates).
func Terms() []Term {
	var out []Term
	for _, a := range activities {
		for _, t := range a.terms {
			out = append(out, Term{Text: t, Category: a.cats[0]})
		}
	}
	return out
}

var (
	districtsOnce sync.Once
	districtList  []string
)

// Districts lists every UK postcode district that has a centroid,
// sorted. The postcode package keeps its table private, so the list is
// found by asking it about every district a postcode could name: one or two
// area letters, then 0–99, or a single digit and a letter (EC1A, SW1W).
func Districts() []string {
	districtsOnce.Do(func() {
		var areas []string
		for a := 'A'; a <= 'Z'; a++ {
			areas = append(areas, string(a))
			for b := 'A'; b <= 'Z'; b++ {
				areas = append(areas, string(a)+string(b))
			}
		}
		for _, area := range areas {
			for n := 0; n <= 99; n++ {
				d := area + strconv.Itoa(n)
				if _, ok := postcode.OutcodeCentre(d); ok {
					districtList = append(districtList, d)
				}
				if n > 9 {
					continue
				}
				for l := 'A'; l <= 'Z'; l++ {
					if _, ok := postcode.OutcodeCentre(d + string(l)); ok {
						districtList = append(districtList, d+string(l))
					}
				}
			}
		}
		slices.Sort(districtList)
	})
	return slices.Clone(districtList)
}

// An activity is a kind of community service: how such services are named
// and described, their categories (the first always; the rest sometimes),
// and what people search for to find them.
type activity struct {
	cats   []string
	names  []string
	about  []string
	terms  []string
	when   string // "day", "evening" or "any"
	minAge int
	weight int
	venues []string // where it happens, if not a general venue
}

// Name and sentence templates take {place} (a town or neighbourhood),
// {town}, {venue} and {day} (for example "Tuesday").
var activities = []activity{
	{cats: []string{"walking_groups", "physical_activity", "social_groups"}, weight: 6, when: "day",
		names: []string{"{day} Health Walk", "{place} Health Walks", "{place} Walking for Health", "Gentle Strollers of {place}", "{place} Ramblers", "Walk and Talk {place}"},
		about: []string{"A gentle led walk of about an hour at an easy pace, starting from {venue}.", "Short, friendly health walks around {place} led by trained volunteer walk leaders.",
			"A weekly walk along the paths and parks of {place}, suitable for beginners and people returning to exercise.", "Led walks of one to three miles on mostly flat paths, with a stop for a chat halfway."},
		terms: []string{"walk", "health walk", "walking group", "walks"}},
	{cats: []string{"walking_groups", "physical_activity"}, weight: 1, when: "day",
		names: []string{"{place} Nordic Walking", "Nordic Walking for Beginners", "{day} Nordic Walk"},
		about: []string{"Nordic walking with poles, which works the whole body and is kind to the joints.", "Learn Nordic walking with a qualified instructor; poles can be borrowed."},
		terms: []string{"nordic walking"}},
	{cats: []string{"singing_groups", "arts_creativity", "social_groups"}, weight: 4, when: "evening",
		names: []string{"{place} Community Choir", "{day} Choir", "Sing for Joy {place}", "{place} Pop Choir", "{place} Singers", "Voices of {place}"},
		about: []string{"A community choir with no auditions and no need to read music: all voices are welcome.", "We sing pop, folk and gospel songs in parts, learnt by ear, in a relaxed and friendly choir.",
			"Singing together lifts the mood: come and try the choir at {venue}."},
		terms: []string{"choir", "singing", "community choir"}},
	{cats: []string{"singing_groups", "dementia_support", "carers_support"}, weight: 1, when: "day",
		names: []string{"Singing for Memory {place}", "Music and Memories {place}", "{place} Singing for the Brain"},
		about: []string{"Singing familiar songs together for people living with dementia and the people who care for them.", "A warm, musical session of well-loved songs for people with memory problems and their carers."},
		terms: []string{"singing dementia", "music and memories"}},
	{cats: []string{"singing_groups", "support_groups", "physical_activity"}, weight: 1, when: "day",
		names: []string{"Singing for Lung Health {place}", "Breathe and Sing {place}"},
		about: []string{"Singing for people living with COPD, asthma and other lung conditions, to help with breathing control.", "Breathing exercises and songs led by a trained singing for lung health leader."},
		terms: []string{"singing lung health", "breathing"}},
	{cats: []string{"physical_activity", "social_groups"}, weight: 3, when: "day", minAge: 60,
		names: []string{"Chair Yoga for Over 60s", "{place} Chair Yoga", "Seated Exercise for Over 60s", "{day} Chair-Based Exercise"},
		about: []string{"Chair yoga and seated exercise to improve strength, flexibility and balance, for people aged 60 and over.", "A gentle chair-based exercise class: everything can be done sitting down."},
		terms: []string{"chair yoga", "seated exercise", "exercise over 60s"}},
	{cats: []string{"physical_activity", "mental_health_support"}, weight: 3, when: "any",
		names: []string{"{place} Community Yoga", "Gentle Yoga at {venue}", "Yoga for Wellbeing", "{day} Yoga for Beginners", "Pilates for Beginners {place}"},
		about: []string{"A gentle yoga class for beginners, with breathing and relaxation at the end.", "Yoga and Pilates for all abilities in a small, friendly class at {venue}.",
			"Stretching, balance and breathing exercises to ease stiffness and stress."},
		terms: []string{"yoga", "pilates", "gentle exercise"}},
	{cats: []string{"physical_activity"}, weight: 2, when: "day",
		names: []string{"Tai Chi in the Park", "{place} Tai Chi", "Tai Chi for Balance", "Qigong {place}"},
		about: []string{"Slow, flowing tai chi movements that improve balance and help prevent falls.", "Tai chi and qigong outdoors in {place} in the summer and at {venue} in winter."},
		terms: []string{"tai chi", "balance", "qigong"}},
	{cats: []string{"physical_activity", "support_groups"}, weight: 2, when: "day", minAge: 55,
		names: []string{"Strength and Balance Class", "Steady Steps {place}", "{place} Falls Prevention Exercise"},
		about: []string{"An evidence-based strength and balance programme that lowers the risk of falls.", "Exercises to build leg strength and steadiness for people who have had a fall or feel unsteady."},
		terms: []string{"strength and balance", "falls prevention"}},
	{cats: []string{"physical_activity", "social_groups"}, weight: 2, when: "any",
		names: []string{"{place} Walking Football", "Walking Netball {place}", "{day} Walking Football"},
		about: []string{"Walking football: no running, no tackling, plenty of laughs, for players of all ages and fitness levels.", "Walking netball for women who want to get back into the game at a gentler pace."},
		terms: []string{"walking football", "football", "netball"}},
	{cats: []string{"physical_activity"}, weight: 2, when: "day", venues: []string{"{place} Leisure Centre", "{town} Swimming Pool", "{place} Lido"},
		names: []string{"Over 50s Swim at {venue}", "Women-Only Swim {place}", "Aqua Aerobics {place}", "Quiet Swim Session"},
		about: []string{"A quieter swimming session at {venue}, with lanes for gentle lengths and help getting in and out.", "Aqua aerobics in the shallow end: exercise that is easy on the joints."},
		terms: []string{"swimming", "swim", "aqua aerobics"}},
	{cats: []string{"physical_activity", "arts_creativity", "social_groups"}, weight: 2, when: "day",
		names: []string{"Tea Dance at {venue}", "{place} Seated Dance", "Dance for Parkinson's {place}", "{place} Line Dancing", "{day} Tea Dance"},
		about: []string{"A traditional tea dance with ballroom and sequence dancing, cake and good company.", "Dance classes to music from every decade, seated or standing, for all abilities."},
		terms: []string{"dance", "tea dance", "line dancing"}},
	{cats: []string{"physical_activity", "mental_health_support"}, weight: 1, when: "evening",
		names: []string{"Couch to 5K {place}", "{place} Beginners Running Group", "Run Together {place}"},
		about: []string{"A beginners running group following the couch to 5K plan, with run leaders at the back so no one is left behind.", "Friendly running for beginners, building up slowly from walking to running."},
		terms: []string{"running", "couch to 5k"}},
	{cats: []string{"physical_activity", "hobbies_interests"}, weight: 1, when: "day",
		names: []string{"{place} Community Cycle Rides", "Learn to Ride {place}", "Bike Buddies {place}"},
		about: []string{"Led cycle rides on quiet roads and traffic-free paths; bikes and helmets can be borrowed.", "Cycling lessons for adults who never learnt to ride or have lost their confidence."},
		terms: []string{"cycling", "bike rides"}},
	{cats: []string{"arts_creativity", "hobbies_interests", "mental_health_support"}, weight: 3, when: "any",
		names: []string{"{place} Art Club", "Art for Wellbeing {place}", "Watercolour Painting for Beginners", "Open Studio at {venue}", "{day} Art Group"},
		about: []string{"A relaxed art class for beginners: drawing, painting and collage, with all materials provided.", "Art for wellbeing sessions where the making matters more than the result.",
			"Watercolour and acrylic painting with a local artist, in a small and supportive group."},
		terms: []string{"art", "painting", "art class", "drawing"}},
	{cats: []string{"arts_creativity", "hobbies_interests", "social_groups"}, weight: 3, when: "day",
		names: []string{"Knit and Natter {place}", "{place} Stitch and Chat", "Crochet Circle", "{day} Craft Club", "Sewing Bee {place}"},
		about: []string{"Knitting, crochet and sewing over a cup of tea: bring your own project or learn a new craft.", "A friendly craft group at {venue}; wool and needles are provided for beginners."},
		terms: []string{"knitting", "crochet", "craft", "sewing"}},
	{cats: []string{"arts_creativity", "education_training"}, weight: 1, when: "evening",
		names: []string{"{place} Writers' Group", "Creative Writing for Wellbeing", "Poetry Café {place}"},
		about: []string{"Creative writing exercises and gentle feedback for writers of every level.", "Write poems and short stories together, and share them if you wish."},
		terms: []string{"creative writing", "poetry", "writing group"}},
	{cats: []string{"arts_creativity", "hobbies_interests", "walking_groups"}, weight: 1, when: "day",
		names: []string{"Photo Walks {place}", "{place} Camera Club", "Phone Photography for Beginners"},
		about: []string{"Photography walks around {place}: learn to take better photos with any camera or phone.", "A camera club with monthly themes, outings and friendly critique."},
		terms: []string{"photography", "camera club"}},
	{cats: []string{"arts_creativity", "social_groups"}, weight: 1, when: "evening",
		names: []string{"{place} Community Theatre", "Drama for Confidence", "{place} Amateur Dramatics"},
		about: []string{"Drama games and short scenes to build confidence, with no pressure to perform.", "A community theatre group putting on two shows a year: actors, set builders and helpers all welcome."},
		terms: []string{"drama", "theatre"}},
	{cats: []string{"arts_creativity", "singing_groups", "hobbies_interests"}, weight: 1, when: "evening",
		names: []string{"{place} Ukulele Club", "Community Drumming Circle", "{place} Folk Music Session", "Music for Wellbeing {place}"},
		about: []string{"Learn the ukulele from scratch in a cheerful group; instruments can be borrowed.", "Drumming and rhythm games for everyone: no musical experience needed."},
		terms: []string{"ukulele", "music", "drumming"}},
	{cats: []string{"nature_ecotherapy", "food_support", "volunteering"}, weight: 3, when: "day", venues: []string{"{place} Allotments", "{place} Community Allotment", "Plot 12, {place} Allotments"},
		names: []string{"{place} Allotment Project", "Community Allotment at {place}", "Grow Together {place}", "{place} Growing Club"},
		about: []string{"A shared allotment where we grow vegetables and fruit together and share the harvest.", "Gardening and growing food on a community allotment, with tools, seeds and advice provided."},
		terms: []string{"allotment", "gardening", "growing food"}},
	{cats: []string{"nature_ecotherapy", "volunteering", "mental_health_support"}, weight: 3, when: "day",
		names: []string{"{place} Community Garden", "Therapeutic Gardening Group", "Green Gym {place}", "Wellbeing Garden at {venue}"},
		about: []string{"Therapeutic gardening in a peaceful community garden, at your own pace.", "Green gym sessions: get fit outdoors by planting, path-making and looking after green spaces."},
		terms: []string{"gardening", "community garden", "green gym"}},
	{cats: []string{"nature_ecotherapy", "volunteering", "physical_activity"}, weight: 2, when: "day",
		names: []string{"Friends of {place} Park", "{place} Conservation Volunteers", "Wildlife Work Party {place}", "{place} Litter Pickers"},
		about: []string{"Conservation volunteering outdoors: hedge laying, tree planting and caring for wildlife habitats.", "Help look after the park and its wildlife; tools, gloves and training are provided."},
		terms: []string{"conservation", "nature", "wildlife"}},
	{cats: []string{"nature_ecotherapy", "mental_health_support"}, weight: 1, when: "day",
		names: []string{"Forest Bathing in {place} Woods", "Nature and Wellbeing Walks", "Wild Wellbeing {place}"},
		about: []string{"Forest bathing and mindful time in nature, guided slowly through the woods.", "Ecotherapy sessions outdoors to ease stress and low mood."},
		terms: []string{"forest bathing", "ecotherapy"}},
	{cats: []string{"volunteering", "employment_support"}, weight: 2, when: "day",
		names: []string{"{place} Volunteer Centre", "Volunteer Drop-in {place}", "{place} Time Bank", "Volunteering Taster Days"},
		about: []string{"Find volunteering that suits you: we match people with local charities and groups.", "A time bank where everyone's hour is worth the same: give an hour, get an hour back."},
		terms: []string{"volunteering", "volunteer", "time bank"}},
	{cats: []string{"volunteering", "hobbies_interests", "social_groups"}, weight: 1, when: "day",
		names: []string{"{place} Repair Café", "Fix It Friday {place}"},
		about: []string{"Bring broken things to the repair café: volunteers fix toasters, clothes, bikes and more while you have a cuppa.", "Learn to mend and repair with skilled volunteers."},
		terms: []string{"repair cafe", "repair"}},
	{cats: []string{"employment_support", "education_training", "digital_inclusion"}, weight: 3, when: "day",
		names: []string{"Job Club {place}", "CV and Interview Workshop", "{place} Work Skills Drop-in", "Back to Work Support {place}", "{day} Job Club"},
		about: []string{"A job club with help to write a CV, search and apply for jobs, and prepare for interviews.", "One-to-one employment support for people who have been out of work, including help with confidence."},
		terms: []string{"job club", "cv", "employment", "jobs", "interview"}},
	{cats: []string{"education_training", "social_groups"}, weight: 2, when: "any",
		names: []string{"English Conversation Club", "ESOL Classes at {venue}", "{place} Conversation Café", "English for Beginners {place}"},
		about: []string{"English classes (ESOL) for adults who speak other languages, from beginners upwards.", "Practise speaking English in a friendly conversation club, with volunteers and tea."},
		terms: []string{"english classes", "esol", "english conversation"}},
	{cats: []string{"education_training", "hobbies_interests"}, weight: 2, when: "evening",
		names: []string{"{place} Adult Learning", "Maths for Adults {place}", "Family Cookery Course", "Introduction to Local History", "{place} Community Learning"},
		about: []string{"Free adult learning courses: maths, English, cookery, local history and more.", "Short courses for adults who want to learn something new or get a qualification."},
		terms: []string{"adult learning", "course", "maths"}},
	{cats: []string{"hobbies_interests", "social_groups"}, weight: 2, when: "any",
		names: []string{"{place} Library Reading Group", "Shared Reading {place}", "{day} Book Club", "Reading Friends {place}"},
		about: []string{"A book club that meets monthly to talk about a novel chosen by the group.", "Shared reading: stories and poems read aloud and talked about, with no need to read beforehand."},
		terms: []string{"book club", "reading group", "reading"}},
	{cats: []string{"hobbies_interests", "social_groups"}, weight: 2, when: "any",
		names: []string{"Board Games Café {place}", "{place} Chess Club", "{place} Bridge Club", "Bingo and Bites", "{day} Games Afternoon"},
		about: []string{"Board games, card games and chess for all ages, with people to teach you the rules.", "A friendly bridge and whist club for beginners and experienced players."},
		terms: []string{"board games", "chess", "bridge club", "bingo"}},
	{cats: []string{"hobbies_interests", "education_training"}, weight: 1, when: "evening",
		names: []string{"{place} History Society", "Memories of {place}", "{town} Family History Group"},
		about: []string{"Talks and visits about the history of {place}, and help tracing your family history.", "Share old photographs and memories of {place} and help record them for the archive."},
		terms: []string{"local history", "family history"}},
	{cats: []string{"social_groups", "hobbies_interests", "mental_health_support"}, weight: 3, when: "day",
		names: []string{"{place} Men's Shed", "The Shed at {venue}", "{town} Men's Shed"},
		about: []string{"A men's shed: a workshop where men meet to make, mend and chat shoulder to shoulder.", "Woodwork, metalwork and bike repair in a friendly men's shed, with tea always on."},
		terms: []string{"men's shed", "woodwork", "shed"}},
	{cats: []string{"social_groups", "befriending"}, weight: 4, when: "day",
		names: []string{"{day} Coffee Morning", "{place} Coffee and Chat", "Community Café at {venue}", "{place} Warm Welcome", "Chatty Café {place}"},
		about: []string{"A weekly coffee morning with cake and conversation, open to everyone.", "A warm, welcoming community café where you can drop in for a hot drink and a chat.",
			"Coffee and chat at {venue}: a good place to meet neighbours and make friends."},
		terms: []string{"coffee morning", "cafe", "chat", "warm space"}},
	{cats: []string{"social_groups", "food_support"}, weight: 3, when: "day", minAge: 60,
		names: []string{"{place} Lunch Club", "Friendship Lunch {place}", "Over 60s Lunch Club", "{day} Lunch Club"},
		about: []string{"A two-course hot lunch and good company for older people, with transport available.", "Lunch club for people aged 60 and over: a hot meal, a quiz and a chat."},
		terms: []string{"lunch club", "lunch", "older people"}},
	{cats: []string{"social_groups", "befriending", "support_groups"}, weight: 2, when: "any",
		names: []string{"{place} Friendship Group", "New in Town Social {place}", "Young at Heart {place}", "{place} Social Club"},
		about: []string{"A friendship group for people who would like to meet others nearby: outings, quizzes and meals.", "A social club for people new to {place} who want to make friends."},
		terms: []string{"friendship group", "social club", "meet people"}},
	{cats: []string{"faith_groups", "social_groups", "food_support"}, weight: 2, when: "any",
		names: []string{"St {saint}'s Community Lunch", "{place} Mosque Open Café", "Gurdwara Langar {place}", "Quaker Meeting House Open Group", "{place} Church Toddlers and Carers"},
		about: []string{"A faith community that welcomes everyone, whatever their beliefs, to a free meal and friendship.", "Our church hall is open for a hot drink, a meal and a chat; no one will preach at you."},
		terms: []string{"church", "mosque", "faith", "langar"}},
	{cats: []string{"support_groups", "physical_activity"}, weight: 3, when: "day",
		names: []string{"{place} Diabetes Support Group", "{place} Stroke Club", "Parkinson's Support Group {place}", "Long Covid Peer Support", "Chronic Pain Café {place}", "Breathe Easy {place}", "Heart Support Group {place}"},
		about: []string{"Peer support for people living with a long-term condition, and their families, led by people who understand.", "A support group with guest speakers, exercise and time to talk with others in the same situation."},
		terms: []string{"support group", "stroke", "diabetes", "parkinson's", "chronic pain"}},
	{cats: []string{"befriending", "social_groups"}, weight: 3, when: "any",
		names: []string{"Telephone Befriending {place}", "{place} Befriending Service", "Home Visiting Volunteers", "Good Neighbours {place}", "Chat Line {place}"},
		about: []string{"A friendly volunteer visits you at home or rings every week for a chat.", "Befriending for people who feel lonely or isolated: a regular call or visit from a trained volunteer."},
		terms: []string{"befriending", "telephone befriending", "lonely"}},
	{cats: []string{"bereavement_support", "support_groups", "befriending"}, weight: 2, when: "day",
		names: []string{"{place} Bereavement Café", "Bereavement Support Group", "Walk and Talk After Loss", "Grief Café {place}"},
		about: []string{"A bereavement café for anyone grieving the death of someone close, however long ago.", "Support after loss: talk with others who understand grief, with trained volunteers."},
		terms: []string{"bereavement", "grief", "loss"}},
	{cats: []string{"money_debt_advice", "housing_advice"}, weight: 3, when: "day",
		names: []string{"Debt Advice Drop-in", "{place} Money Advice", "Benefits Check Clinic", "Energy Bills Help {place}", "{day} Money Matters"},
		about: []string{"Free, confidential debt advice and help with benefits, budgeting and energy bills.", "A benefits check to make sure you get everything you are entitled to, and help to deal with debts."},
		terms: []string{"debt advice", "debt", "benefits", "money advice", "energy bills"}},
	{cats: []string{"housing_advice", "money_debt_advice"}, weight: 2, when: "day",
		names: []string{"Housing Advice Drop-in", "{place} Tenants' Support", "Homelessness Prevention Service", "Repairs and Renting Advice {place}"},
		about: []string{"Free housing advice on renting, repairs, eviction and homelessness.", "Help for tenants with problems with landlords, deposits and repairs, and for anyone at risk of losing their home."},
		terms: []string{"housing advice", "housing", "renting", "homeless"}},
	{cats: []string{"mental_health_support", "support_groups", "education_training"}, weight: 3, when: "any",
		names: []string{"{place} Wellbeing College", "Anxiety Management Course", "Talking Space {place}", "Mindfulness for Beginners", "Hearing Voices Group", "{place} Recovery Café"},
		about: []string{"Free wellbeing courses on anxiety, low mood, sleep and stress, run by people with lived experience.", "A mental health peer support group where you can talk openly without being judged.",
			"Mindfulness sessions to help manage anxiety and worry."},
		terms: []string{"anxiety", "mindfulness", "wellbeing", "mental health", "low mood"}},
	{cats: []string{"carers_support", "support_groups"}, weight: 2, when: "day",
		names: []string{"{place} Carers' Café", "Carers' Support Group", "Young Carers Club {place}", "Carers' Break Days", "{town} Carers Hub"},
		about: []string{"Support, advice and a break for unpaid carers who look after a family member or friend.", "A carers' café: time for yourself, information about your rights, and people who understand."},
		terms: []string{"carers", "carer support", "young carers"}},
	{cats: []string{"dementia_support", "carers_support", "social_groups"}, weight: 2, when: "day",
		names: []string{"{place} Memory Café", "Dementia Friendly Walks", "Dementia Carers' Group", "Forget Me Not Club {place}"},
		about: []string{"A memory café for people living with dementia and their carers: music, reminiscence and tea.", "Dementia-friendly activities and advice for families."},
		terms: []string{"dementia", "memory cafe"}},
	{cats: []string{"food_support", "social_groups"}, weight: 3, when: "day",
		names: []string{"{place} Food Bank", "{place} Community Fridge", "Community Pantry {place}", "Cook and Eat {place}", "{day} Community Supper"},
		about: []string{"Emergency food parcels from the food bank, with help to sort out the problem behind the crisis.", "A community pantry where members pay a small amount each week for a bag of groceries.",
			"Cookery sessions where we make a healthy meal on a budget and eat together."},
		terms: []string{"food bank", "community fridge", "pantry", "cooking"}},
	{cats: []string{"digital_inclusion", "education_training"}, weight: 3, when: "day",
		names: []string{"Digital Drop-in {place}", "Get Online {place}", "Tablet and Smartphone Help", "Computer Club for Beginners", "Device Lending Library {place}"},
		about: []string{"Help with phones, tablets, computers and the internet, one to one and at your own pace.", "Learn to use email, video calls and online shopping safely; devices and data can be borrowed."},
		terms: []string{"computer help", "digital skills", "smartphone", "internet"}},
}

// More sentences, any of which suits any service.
var extraSentences = []string{
	"Everyone is welcome, whatever their age or ability.",
	"No need to book: just come along.",
	"Please call before your first visit so we can look out for you.",
	"Tea, coffee and biscuits are provided.",
	"Run by local volunteers who know how it feels to be new.",
	"A friendly place to meet people and make new friends.",
	"You can come on your own or bring a friend or carer.",
	"The venue has step-free access and an accessible toilet.",
	"Referrals from link workers and GPs are welcome, and so is self-referral.",
	"Sessions are relaxed and you can join in as much or as little as you like.",
	"There is parking nearby and the venue is on a bus route.",
	"We can also point you to other local support.",
	"Places are limited, so please get in touch first.",
	"Many people come along after a suggestion from their social prescriber.",
	"Sessions run all year except bank holidays.",
	"We meet at {venue}, {place}.",
}

var extraEligibility = []string{"", "", "", "", "Adults aged 18 and over.", "Open to anyone living in {town}.", "Referral from a link worker or GP preferred.", "Women only."}

var accessibilityBank = []string{"Step-free access", "Accessible toilet", "Hearing loop", "Large print materials", "Quiet space available", "Wheelchair accessible", "Parking for Blue Badge holders", "Dementia friendly"}

var languageBank = []string{"Polish", "Urdu", "Punjabi", "Bengali", "Arabic", "Somali", "Romanian", "Gujarati", "British Sign Language"}

var saints = []string{"Mary", "John", "Peter", "Paul", "Andrew", "Michael", "Luke", "Mark", "George", "James", "Thomas", "Margaret", "Anne", "Stephen",
	"Matthew", "Barnabas", "Aidan", "David", "Patrick", "Columba", "Nicholas", "Bartholomew", "Catherine", "Chad", "Cuthbert", "Giles", "Hilda", "Lawrence",
	"Martin", "Oswald", "Swithun", "Alban"}

var neighbourhoods = []string{"Northfield", "Southgate", "Eastbrook", "Westfield", "Hillside", "Riverside", "Parkside", "Meadowbank", "Oakwood", "Ashgrove",
	"Elmhurst", "Brookside", "Castle Hill", "Church End", "Old Town", "Newtown", "Greenbank", "Millbrook", "Fairfield", "Highfield", "Longmoor",
	"Stonebridge", "Kingsway", "Queen's Park", "Victoria Park", "Abbey", "Priory", "Bridge End", "Moorside", "Woodlands", "Lakeside", "Harbourside",
	"Beechwood", "Hazelmere", "Thornhill", "Broadmead", "Saltmarsh", "Westbury", "Eastville", "Norton", "Sutton Green", "Marshfield", "Redhill",
	"Whitchurch", "Ashby", "Kirkby", "Netherton", "Upton", "Bramley", "Hollybush", "Heathfield", "Cherry Hinton", "Rosehill", "Springfield",
	"Waterside", "Brampton", "Clayton", "Hampton", "Langley", "Foxhill", "Little Haven", "Greenhill", "St Anne's", "Seacroft", "Riverbank",
	"Templefields", "Oldfield", "Newlands", "Burnside", "Glenfield", "Bankfoot", "Llanfair", "Pentre", "Ballymore", "Kilbride", "Strathmore"}

var venuePatterns = []string{"{nb} Community Centre", "St {saint}'s Church Hall", "{town} Central Library", "{nb} Library", "{nb} Methodist Church",
	"{nb} Village Hall", "{nb} Leisure Centre", "{town} Museum", "{nb} Park Pavilion", "{nb} Scout Hut", "{nb} Primary School", "{town} Baptist Church",
	"{nb} Family Hub", "{nb} Sports Club", "{nb} Medical Centre", "The Old School Rooms", "{nb} Social Club", "{nb} Neighbourhood Centre",
	"{town} Town Hall", "The Friends Meeting House"}

var roads = []string{"Station", "High", "Church", "Mill", "Park", "Victoria", "London", "Queen's", "King's", "Chapel", "School", "Manor", "Green", "North",
	"South", "West", "Meadow", "Grange", "Castle", "Bridge", "Albert", "Alexandra", "Market", "Orchard", "Springfield", "Windsor", "York", "Brook",
	"Hill", "Forest"}

var roadTypes = []string{"Road", "Street", "Lane", "Avenue", "Way", "Close", "Terrace", "Crescent", "Drive", "Grove"}

var orgPatterns = []string{"{town} Community Trust", "{nb} Community Association", "Friends of {nb}", "{town} Wellbeing Network", "{nb} Good Neighbours",
	"{town} Carers Centre", "{nb} Residents Association", "{town} Voluntary Action", "{town} Older People's Forum", "{nb} Development Trust",
	"{town} Health and Wellbeing Partnership", "{nb} Community Hub", "{town} Green Spaces Trust", "{nb} Together", "{town} Arts Collective",
	"{town} Money and Housing Advice", "{nb} Food Network", "{town} Recovery Network"}

// areaTowns names the main town of each postcode area.
var areaTowns = map[string]string{
	"AB": "Aberdeen", "AL": "St Albans", "B": "Birmingham", "BA": "Bath", "BB": "Blackburn", "BD": "Bradford", "BH": "Bournemouth", "BL": "Bolton",
	"BN": "Brighton", "BR": "Bromley", "BS": "Bristol", "BT": "Belfast", "CA": "Carlisle", "CB": "Cambridge", "CF": "Cardiff", "CH": "Chester",
	"CM": "Chelmsford", "CO": "Colchester", "CR": "Croydon", "CT": "Canterbury", "CV": "Coventry", "CW": "Crewe", "DA": "Dartford", "DD": "Dundee",
	"DE": "Derby", "DG": "Dumfries", "DH": "Durham", "DL": "Darlington", "DN": "Doncaster", "DT": "Dorchester", "DY": "Dudley", "E": "London",
	"EC": "London", "EH": "Edinburgh", "EN": "Enfield", "EX": "Exeter", "FK": "Falkirk", "FY": "Blackpool", "G": "Glasgow", "GL": "Gloucester",
	"GU": "Guildford", "GY": "Guernsey", "HA": "Harrow", "HD": "Huddersfield", "HG": "Harrogate", "HP": "Hemel Hempstead", "HR": "Hereford",
	"HS": "Stornoway", "HU": "Hull", "HX": "Halifax", "IG": "Ilford", "IM": "Douglas", "IP": "Ipswich", "IV": "Inverness", "JE": "Jersey",
	"KA": "Kilmarnock", "KT": "Kingston upon Thames", "KW": "Kirkwall", "KY": "Kirkcaldy", "L": "Liverpool", "LA": "Lancaster", "LD": "Llandrindod Wells",
	"LE": "Leicester", "LL": "Llandudno", "LN": "Lincoln", "LS": "Leeds", "LU": "Luton", "M": "Manchester", "ME": "Rochester", "MK": "Milton Keynes",
	"ML": "Motherwell", "N": "London", "NE": "Newcastle", "NG": "Nottingham", "NN": "Northampton", "NP": "Newport", "NR": "Norwich", "NW": "London",
	"OL": "Oldham", "OX": "Oxford", "PA": "Paisley", "PE": "Peterborough", "PH": "Perth", "PL": "Plymouth", "PO": "Portsmouth", "PR": "Preston",
	"RG": "Reading", "RH": "Redhill", "RM": "Romford", "S": "Sheffield", "SA": "Swansea", "SE": "London", "SG": "Stevenage", "SK": "Stockport",
	"SL": "Slough", "SM": "Sutton", "SN": "Swindon", "SO": "Southampton", "SP": "Salisbury", "SR": "Sunderland", "SS": "Southend-on-Sea",
	"ST": "Stoke-on-Trent", "SW": "London", "SY": "Shrewsbury", "TA": "Taunton", "TD": "Galashiels", "TF": "Telford", "TN": "Tonbridge",
	"TQ": "Torquay", "TR": "Truro", "TS": "Middlesbrough", "TW": "Twickenham", "UB": "Southall", "W": "London", "WA": "Warrington", "WC": "London",
	"WD": "Watford", "WF": "Wakefield", "WN": "Wigan", "WR": "Worcester", "WS": "Walsall", "WV": "Wolverhampton", "YO": "York", "ZE": "Lerwick",
}

var welshAreas = map[string]bool{"CF": true, "SA": true, "LL": true, "LD": true, "NP": true}

// area is a district's postcode area: its leading letters.
func area(district string) string {
	n := 0
	for n < len(district) && district[n] >= 'A' && district[n] <= 'Z' {
		n++
	}
	return district[:n]
}

// districtNeighbourhood gives each district a fixed neighbourhood name,
// the same whatever the seed.
func districtNeighbourhood(district string) string {
	h := fnv.New32a()
	io.WriteString(h, district)
	return neighbourhoods[h.Sum32()%uint32(len(neighbourhoods))]
}

func districtTown(district string) string {
	if t, ok := areaTowns[area(district)]; ok {
		return t
	}
	return districtNeighbourhood(district)
}

var synthIDs = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// synth holds the generator's state: one random source, so that a seed
// always gives the same directory.
type synth struct {
	r         *rand.Rand
	districts []string
	byArea    map[string][]string
	orgNames  map[string]bool
	now       int64
}

func (g *synth) pick(list []string) string { return list[g.r.IntN(len(list))] }
func (g *synth) chance(p float64) bool     { return g.r.Float64() < p }

func (g *synth) id(prefix string) string {
	var b [10]byte
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	return prefix + "_" + synthIDs.EncodeToString(b[:])
}

// place is where one service or organisation is: a district and the names
// people use for it.
type place struct {
	district, town, nb string
}

func (p place) name(g *synth) string {
	if p.town == "London" || g.chance(0.45) {
		return p.nb
	}
	return p.town
}

func (g *synth) fill(s string, p place, day, venue string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	r := strings.NewReplacer("{place}", p.name(g), "{town}", p.town, "{nb}", p.nb, "{day}", day, "{venue}", venue, "{saint}", g.pick(saints))
	return r.Replace(s)
}

func (g *synth) placeIn(district string) place {
	return place{district: district, town: districtTown(district), nb: districtNeighbourhood(district)}
}

// postcode makes a full postcode in the district: a digit and two of the
// letters the inward code allows.
func (g *synth) postcode(district string) string {
	const letters = "ABDEFGHJLNPQRSTUWXYZ"
	return fmt.Sprintf("%s %d%c%c", district, g.r.IntN(10), letters[g.r.IntN(len(letters))], letters[g.r.IntN(len(letters))])
}

func (g *synth) phone() string {
	return fmt.Sprintf("0%d %06d", 1000+g.r.IntN(9000), g.r.IntN(1_000_000))
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r == '\'' || r == '’':
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

type synthOrg struct {
	id, name, website, email string
	home                     place
	left                     int // services still to make for it
}

func (g *synth) newOrg() *synthOrg {
	p := g.placeIn(g.pick(g.districts))
	base := g.fill(g.pick(orgPatterns), p, "", "")
	name := base
	for i := 1; g.orgNames[strings.ToLower(name)]; i++ {
		// Names are unique: say where, and number them if need be.
		name = base + " (" + p.district + ")"
		if i > 1 {
			name = fmt.Sprintf("%s (%s, %d)", base, p.district, i)
		}
	}
	g.orgNames[strings.ToLower(name)] = true
	domain := slug(name)
	if len(domain) > 40 {
		domain = domain[:40]
	}
	domain = strings.Trim(domain, "-") + ".org.uk"
	return &synthOrg{id: g.id("org"), name: name, website: "https://www." + domain, email: "hello@" + domain, home: p,
		// 1 to 9 services, 5 on average.
		left: 1 + g.r.IntN(9)}
}

// sessions makes 0–3 weekly sessions at times that suit the activity; the
// first is on day when day is given.
func (g *synth) sessions(a activity, day int) []directory.Session {
	n := []int{0, 1, 1, 1, 1, 2, 2, 3}[g.r.IntN(8)]
	if day > 0 && n == 0 {
		n = 1
	}
	var out []directory.Session
	used := map[int]bool{}
	for i := 0; i < n; i++ {
		d := day
		if i > 0 || d == 0 {
			d = 1 + g.r.IntN(7)
			if g.chance(0.8) && d >= 6 { // mostly weekdays
				d = 1 + g.r.IntN(5)
			}
		}
		if used[d] {
			continue
		}
		used[d] = true
		var start int // minutes after midnight
		switch when := a.when; {
		case when == "evening" || when == "any" && g.chance(0.4):
			start = 17*60 + 30 + 30*g.r.IntN(5)
		case g.chance(0.6):
			start = 9*60 + 30*g.r.IntN(6)
		default:
			start = 13*60 + 30*g.r.IntN(5)
		}
		length := 60 + 30*g.r.IntN(4)
		out = append(out, directory.Session{Day: directory.Days[d-1], Opens: hhmm(start), Closes: hhmm(start + length)})
	}
	return out
}

// listJSON is a list as the services table keeps it: a JSON array.
func listJSON(list []string) string {
	if list == nil {
		list = []string{}
	}
	b, _ := json.Marshal(list)
	return string(b)
}

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// synthService is one service's row and its child rows.
type synthService struct {
	args       []any
	id         string
	categories []string
	schedule   []directory.Session
}

var serviceInsertColumns = []string{"id", "organisation_id", "name", "description", "url", "email", "phone", "cost_pence", "fees_description",
	"eligibility", "min_age", "max_age", "capacity", "citizen_led", "started_on", "accessibility", "languages", "categories", "category_labels",
	"location_name", "address", "postcode", "latitude", "longitude", "days", "status", "last_checked_at", "created_at", "updated_at"}

var activityWeights = func() []int {
	var out []int
	for i, a := range activities {
		for range a.weight {
			out = append(out, i)
		}
	}
	return out
}()

func (g *synth) service(o *synthOrg) synthService {
	a := activities[activityWeights[g.r.IntN(len(activityWeights))]]
	district := o.home.district
	if g.chance(0.3) {
		// Elsewhere in the same postcode area: organisations work locally.
		district = g.pick(g.byArea[area(district)])
	}
	p := g.placeIn(district)
	venue := g.fill(g.pick(venuePatterns), p, "", "")
	if a.venues != nil {
		venue = g.fill(g.pick(a.venues), p, "", "")
	}
	nameTmpl := g.pick(a.names)
	day := 0
	if strings.Contains(nameTmpl, "{day}") {
		day = 1 + g.r.IntN(5)
		if g.chance(0.15) {
			day = 6 + g.r.IntN(2)
		}
	}
	dayLabel := directory.DayLabel(day)
	name := g.fill(nameTmpl, p, dayLabel, venue)

	sentences := []string{g.fill(g.pick(a.about), p, dayLabel, venue)}
	for extra := 1 + g.r.IntN(2); len(sentences) <= extra; {
		s := g.fill(g.pick(extraSentences), p, dayLabel, venue)
		if !slices.Contains(sentences, s) {
			sentences = append(sentences, s)
		}
	}
	description := strings.Join(sentences, " ")

	// 1–3 categories: the activity's own, and sometimes related ones.
	cats := []string{a.cats[0]}
	want := 1
	if x := g.r.Float64(); x < 0.15 {
		want = 3
	} else if x < 0.5 {
		want = 2
	}
	for _, i := range g.r.Perm(len(a.cats) - 1) {
		if len(cats) >= want {
			break
		}
		cats = append(cats, a.cats[i+1])
	}

	schedule := g.sessions(a, day)

	var cost any
	fees := ""
	switch x := g.r.Float64(); {
	case x < 0.65:
		cost = int64(0)
	case x < 0.85:
		pence := int64(150 + 50*g.r.IntN(18))
		cost = pence
		fees = fmt.Sprintf("£%.2f a session; ask about concessions.", float64(pence)/100)
	default: // not known
		fees = ""
	}
	var minAge, maxAge, capacity any
	eligibility := g.fill(g.pick(extraEligibility), p, "", "")
	if a.minAge > 0 {
		minAge = int64(a.minAge)
		eligibility = fmt.Sprintf("People aged %d and over.", a.minAge)
	} else if strings.Contains(name, "Young Carers") {
		minAge, maxAge = int64(8), int64(18)
	} else if eligibility == "Adults aged 18 and over." {
		minAge = int64(18)
	}
	switch x := g.r.Float64(); {
	case x < 0.05:
		capacity = int64(0)
	case x < 0.2:
		capacity = int64(4 + g.r.IntN(30))
	}
	started := ""
	if g.chance(0.5) {
		started = fmt.Sprintf("%04d-%02d-%02d", 1985+g.r.IntN(39), 1+g.r.IntN(12), 1+g.r.IntN(28))
	}
	url, email, phone := "", "", ""
	if g.chance(0.6) {
		url = o.website + "/" + slug(name)
	}
	if g.chance(0.5) {
		email = o.email
	}
	if g.chance(0.7) {
		phone = g.phone()
	}
	var access []string
	for range g.r.IntN(4) {
		if s := g.pick(accessibilityBank); !slices.Contains(access, s) {
			access = append(access, s)
		}
	}
	langs := []string{"English"}
	if welshAreas[area(district)] && g.chance(0.5) {
		langs = append(langs, "Welsh")
	}
	if g.chance(0.1) {
		langs = append(langs, g.pick(languageBank))
	}

	// Within about 2 km of the district's centre, so that services are not
	// all on one point.
	centre, _ := postcode.OutcodeCentre(district)
	km := 2 * math.Sqrt(g.r.Float64())
	angle := 2 * math.Pi * g.r.Float64()
	lat := centre.Lat + km/111.2*math.Cos(angle)
	lon := centre.Lon + km/(111.2*math.Cos(centre.Lat*math.Pi/180))*math.Sin(angle)
	lat, lon = math.Round(lat*1e6)/1e6, math.Round(lon*1e6)/1e6

	address := fmt.Sprintf("%d %s %s, %s", 1+g.r.IntN(150), g.pick(roads), g.pick(roadTypes), p.town)
	// Checked within the last year (a few long ago: stale), created before.
	checked := g.now - int64(g.r.IntN(400*24))*int64(time.Hour/time.Millisecond)
	created := checked - int64(g.r.IntN(3*365*24))*int64(time.Hour/time.Millisecond)

	id := g.id("svc")
	args := []any{id, o.id, name, description, url, email, phone, cost, fees,
		eligibility, minAge, maxAge, capacity, g.chance(0.3), started, listJSON(access), listJSON(langs), strings.Join(cats, " "), directory.CategoryLabels(cats),
		venue, address, g.postcode(district), lat, lon, directory.DaysMask(schedule), "active", checked, created, checked}
	return synthService{args: args, id: id, categories: cats, schedule: schedule}
}

// Generate adds n synthetic services, and the voluntary
// organisations that run them (about one for every five services), to the
// directory in d. The same seed always gives the same services (their
// timestamps apart, which are relative to today). Districts are chosen
// uniformly: there are more, smaller districts where more people live, so
// that already follows the population roughly. Rows are written directly,
// many to a statement, with the same columns Store.Create writes (no audit
// events), so the search indexes are maintained as usual. Progress lines
// go to progress if it is not nil.
func Generate(ctx context.Context, d *db.DB, n int, seed int64, progress io.Writer) error {
	if n < 0 {
		return fmt.Errorf("synthetic directory: n must not be negative")
	}
	g := &synth{
		r:         rand.New(rand.NewPCG(uint64(seed), 0x6f696b6f73)),
		districts: Districts(),
		byArea:    map[string][]string{},
		orgNames:  map[string]bool{},
		now:       db.Millis(time.Now().UTC().Truncate(24 * time.Hour)),
	}
	for _, dist := range g.districts {
		g.byArea[area(dist)] = append(g.byArea[area(dist)], dist)
	}
	if len(g.districts) == 0 {
		return fmt.Errorf("synthetic directory: no postcode districts")
	}
	// Organisation names are unique, so keep clear of those already there.
	rows, err := d.R().QueryContext(ctx, "SELECT lower(name) FROM organisations")
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		g.orgNames[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	const perTx = 5000
	start := time.Now()
	var org *synthOrg
	for done := 0; done < n; {
		batch := min(perTx, n-done)
		var orgs []*synthOrg
		services := make([]synthService, 0, batch)
		for range batch {
			if org == nil || org.left == 0 {
				org = g.newOrg()
				orgs = append(orgs, org)
			}
			org.left--
			services = append(services, g.service(org))
		}
		err := d.Tx(ctx, func(tx *sql.Tx) error { return insertSynthetic(ctx, tx, d.Dialect, orgs, services, g.now) })
		if err != nil {
			return fmt.Errorf("synthetic directory: %w", err)
		}
		done += batch
		if progress != nil {
			fmt.Fprintf(progress, "synthetic directory: %d/%d services (%.1fs)\n", done, n, time.Since(start).Seconds())
		}
	}
	return nil
}

// insertMany writes rows of the given width into table, many to a statement.
// On SQLite the placeholders are anonymous (?): it looks $n names up one
// by one, which takes time quadratic in their number.
func insertMany(ctx context.Context, tx *sql.Tx, dialect db.Dialect, table string, columns []string, rows [][]any) error {
	// Well under both SQLite's 32,766 and PostgreSQL's 65,535 parameters.
	per := max(1, 8000/len(columns))
	head := "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES "
	for len(rows) > 0 {
		chunk := rows[:min(per, len(rows))]
		rows = rows[len(chunk):]
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, len(chunk)*len(columns))
		for i, row := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range row {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString(dialect.Placeholder(len(args) + j + 1))
			}
			b.WriteByte(')')
			args = append(args, row...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

func insertSynthetic(ctx context.Context, tx *sql.Tx, dialect db.Dialect, orgs []*synthOrg, services []synthService, now int64) error {
	orgRows := make([][]any, len(orgs))
	for i, o := range orgs {
		orgRows[i] = []any{o.id, o.name, "vcse", fmt.Sprintf("A voluntary and community organisation working in and around %s.", o.home.town),
			o.website, o.email, true, now, now}
	}
	if err := insertMany(ctx, tx, dialect, "organisations", []string{"id", "name", "kind", "description", "website", "email", "active", "created_at", "updated_at"}, orgRows); err != nil {
		return err
	}
	serviceRows := make([][]any, len(services))
	var catRows, schedRows [][]any
	for i, s := range services {
		serviceRows[i] = s.args
		for _, c := range s.categories {
			catRows = append(catRows, []any{s.id, c})
		}
		for pos, sess := range s.schedule {
			schedRows = append(schedRows, []any{s.id, int64(pos), int64(directory.DayNumber(sess.Day)), sess.Opens, sess.Closes})
		}
	}
	if err := insertMany(ctx, tx, dialect, "services", serviceInsertColumns, serviceRows); err != nil {
		return err
	}
	if err := insertMany(ctx, tx, dialect, "service_categories", []string{"service_id", "category"}, catRows); err != nil {
		return err
	}
	return insertMany(ctx, tx, dialect, "service_schedules", []string{"service_id", "position", "day", "opens", "closes"}, schedRows)
}

// Every activity must name known categories; a mistake here fails at start.
func init() {
	for _, a := range activities {
		for _, c := range a.cats {
			if _, ok := taxonomy.CategoryByCode(c); !ok {
				panic("synthetic directory: unknown category " + c)
			}
		}
	}
}
