package assistant

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Actions are written as instructions ("Draft the live-blog template",
// "Send her the delegation scheme"). Said back in a plan they read as a
// pasted form ("got "Draft the live-blog template" done"); these turn the
// instruction into the words a coach would use: "thank Member G for
// drafting the live-blog template", "let Member H know you have sent her
// the delegation scheme". Only an action that starts with a verb known
// here is turned; any other is quoted as written.

// doing is the action as a gerund ("drafting the live-blog template"),
// or false when it does not start with a known verb.
func doing(action string) (string, bool) {
	verb, rest, ok := leadingVerb(action)
	if !ok {
		return "", false
	}
	return ingForm(verb) + addressed(coordinated(rest, ingForm)), true
}

// done is the action in the present perfect's participle ("sent her the
// delegation scheme"), or false.
func done(action string) (string, bool) {
	verb, rest, ok := leadingVerb(action)
	if !ok {
		return "", false
	}
	return participle(verb) + addressed(coordinated(rest, participle)), true
}

// coordinated turns the verbs joined to the first ("…the reply and send
// it to me") into the same form, so the whole action reads as one:
// "drafting the reply and sending it to you" (the action's "me" is the
// manager the plan is addressed to). A verb that is also a noun
// ("the budget and plan for Q3") is turned only before what a verb takes
// (it, the, to…).
func coordinated(rest string, form func(string) string) string {
	return andVerb.ReplaceAllStringFunc(rest, func(m string) string {
		sub := andVerb.FindStringSubmatch(m)
		v := strings.ToLower(sub[2])
		if !actionVerbs[v] || nounToo[v] && !verbObject.MatchString(sub[3]) {
			return m
		}
		return sub[1] + form(v) + sub[3]
	})
}

var (
	andVerb    = regexp.MustCompile(`(\b(?:and|then|and then),? )([A-Za-z]+)(\s+\S+|$)`)
	verbObject = regexp.MustCompile(`^\s+(?:it|them|him|her|me|us|the|a|an|to|up|out|back|over|on|this|that|these|those|my|his|their|our)\b`)
	// nounToo are action verbs that are nouns as often.
	nounToo = wordSet("book call check cover design draft email file help list log map message note offer order " +
		"pair plan record reply report request review schedule set shadow sketch start swap test train trial update visit walk")
)

// leadingVerb splits an action into its first word, lower-cased, when it
// is a known verb, and the rest without a closing full stop.
func leadingVerb(action string) (verb, rest string, ok bool) {
	s := strings.TrimRight(strings.TrimSpace(action), ". ")
	if s == "" || strings.ContainsFunc(s, japanese) {
		return "", "", false
	}
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(s)
	}
	first, _ := utf8.DecodeRuneInString(s)
	verb = strings.ToLower(s[:end])
	if !unicode.IsUpper(first) && !unicode.IsLower(first) || !actionVerbs[verb] {
		return "", "", false
	}
	return verb, s[end:], true
}

func ingForm(v string) string {
	switch {
	case doubled[v]:
		return v + v[len(v)-1:] + "ing"
	case strings.HasSuffix(v, "ie"):
		return v[:len(v)-2] + "ying"
	case strings.HasSuffix(v, "e") && !strings.HasSuffix(v, "ee") && !strings.HasSuffix(v, "ye") && !strings.HasSuffix(v, "oe"):
		return v[:len(v)-1] + "ing"
	}
	return v + "ing"
}

func participle(v string) string {
	if p, ok := irregular[v]; ok {
		return p
	}
	switch {
	case doubled[v]:
		return v + v[len(v)-1:] + "ed"
	case strings.HasSuffix(v, "e"):
		return v + "d"
	case strings.HasSuffix(v, "y") && len(v) > 1 && !strings.ContainsAny(v[len(v)-2:len(v)-1], "aeiou"):
		return v[:len(v)-1] + "ied"
	}
	return v + "ed"
}

var (
	// actionVerbs are the verbs actions start with.
	actionVerbs = wordSet("add agree analyse analyze apply arrange ask attend book brief bring build buy call cancel " +
		"chase check choose clarify clean close collect compare complete confirm contact cover create decide define " +
		"delegate deliver design discuss document draft email escalate estimate explain explore file find finish fix " +
		"follow gather get give hand help hold identify interview introduce invite join keep lead learn list log look " +
		"make map meet message move note observe offer order organise organize outline pair pick plan prepare present " +
		"prioritise prioritize propose pull put raise reach read recommend record reduce register reply report request " +
		"research reserve review revise rewrite run schedule send set settle shadow share shortlist show sign sketch " +
		"speak start submit suggest summarise summarize swap take talk teach test tell think track train trial try update visit " +
		"walk write")
	// doubled are the verbs that double their last letter before -ing
	// and -ed.
	doubled = wordSet("chat drop get jot log map plan put run set ship shop skip stop submit swap")
	// irregular are the participles that do not end in -ed.
	irregular = map[string]string{"bring": "brought", "build": "built", "buy": "bought", "choose": "chosen",
		"do": "done", "find": "found", "get": "got", "give": "given", "hold": "held", "keep": "kept", "lead": "led",
		"make": "made", "meet": "met", "put": "put", "read": "read", "run": "run", "send": "sent", "set": "set",
		"show": "shown", "speak": "spoken", "take": "taken", "teach": "taught", "tell": "told", "think": "thought",
		"write": "written", "rewrite": "rewritten", "learn": "learned"}
)
