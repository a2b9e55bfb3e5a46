package anonymize

import (
	_ "embed"
	"strings"
)

// The name lists in names/ (see names/README.md), with the hand-picked
// ones below: a capitalized word in givenNames is taken as a name (with
// the capitalized word after it as the surname), one in surnames too. A
// name that is also an ordinary word (ambiguous: Bill, Grace, Park) is
// taken only where a person fits.
var (
	//go:embed names/given.txt
	givenTxt string
	//go:embed names/surnames.txt
	surnamesTxt string
	//go:embed names/ambiguous.txt
	ambiguousTxt string
	//go:embed names/english.txt
	englishTxt string

	ambiguous  = setOf(strings.Fields(ambiguousTxt)...)
	givenNames = without(withList(givenList, givenTxt), neverNames)
	surnames   = without(withList(surnameList, surnamesTxt), neverNames)
	// englishWords are ordinary English words, in lower case: a capitalized
	// word that is none of them may be a name no list has.
	englishWords = setOf(strings.Fields(englishTxt)...)
	neverName    = setOf(neverNames...)
)

// neverNames are English words that are also names in some list (He is a
// Chinese surname, Jan a given name and January): never taken for names.
var neverNames = []string{"Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun", "Jan", "Feb", "Mar",
	"Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Junior", "Senior", "Sr", "Jr", "Mr", "Ms", "Mrs", "Dr", "A", "I", "He", "She", "It", "We", "They", "Me", "Us", "Him", "Her", "His", "You", "An", "The",
	"To", "Do", "Go", "So", "No", "On", "In", "At", "Of", "By", "Or", "And", "But", "If", "As", "Is", "Be", "My", "Our",
	"This", "That", "Then", "Than", "When", "Why", "How", "Who", "What", "Where", "All", "Any", "Some", "One", "Two",
	"New", "Old", "Top", "Lead", "Dev", "Ops", "Ok", "Yes", "Not", "Can", "May", "Will", "Let", "Ion", "Per", "Via",
	"Up", "Out", "Off", "Over", "Under", "Just", "Also", "Here", "There", "Now", "Next", "Last", "Due", "Re", "Fwd",
	// Holidays and the British words for a schedule start notes' sentences
	// ("Easter rota sorted", "Rota has to be published"): as rare as names
	// as they are common as words.
	"Easter", "Christmas", "Xmas", "Whitsun", "Lent", "Rota", "Rotas",
	// Weekdays and the months that are nobody's name ("the Saturday
	// drop-in"); April, May, June and August are names too, and stay.
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
	"January", "February", "September", "October", "November", "December"}

// without removes words from a set.
func without(set map[string]bool, words []string) map[string]bool {
	for _, w := range words {
		delete(set, w)
	}
	return set
}

// withList adds the entries of a list file to a hand-picked set.
func withList(set map[string]bool, list string) map[string]bool {
	for _, w := range strings.Fields(list) {
		set[w] = true
	}
	return set
}

// givenList are common given names in the languages Taiwa's users write
// about their colleagues in, picked by hand.
var givenList = setOf(
	// English
	"Aaron", "Adam", "Alan", "Albert", "Alex", "Alexander", "Alice", "Alison", "Amanda", "Amelia", "Amy", "Andrew",
	"Andy", "Angela", "Anna", "Anne", "Anthony", "Ashley", "Barbara", "Ben", "Benjamin", "Beth", "Brian", "Caroline",
	"Catherine", "Charles", "Charlie", "Charlotte", "Chloe", "Chris", "Christina", "Christopher", "Claire", "Daniel",
	"David", "Deborah", "Dennis", "Diana", "Donna", "Edward", "Eleanor", "Elizabeth", "Ella", "Emily", "Emma", "Eric",
	"Ethan", "Frank", "Gary", "George", "Hannah", "Harry", "Helen", "Henry", "Isabella", "Jack", "Jacob", "James",
	"Jane", "Jason", "Jennifer", "Jessica", "Joe", "John", "Jonathan", "Joseph", "Joshua", "Julia", "Karen", "Kate",
	"Katherine", "Kevin", "Laura", "Lauren", "Liam", "Linda", "Lisa", "Lucy", "Margaret", "Mark", "Mary", "Matthew",
	"Megan", "Michael", "Michelle", "Nancy", "Nathan", "Nicholas", "Noah", "Olivia", "Oliver", "Patrick", "Paul",
	"Peter", "Rachel", "Rebecca", "Richard", "Robert", "Ryan", "Samuel", "Sam", "Sandra", "Sarah", "Scott", "Sophia",
	"Sophie", "Stephen", "Steven", "Susan", "Thomas", "Tim", "Timothy", "Tom", "Tyler", "Victoria", "William", "Zoe",
	// Japanese
	"Akira", "Ayaka", "Ayumi", "Daisuke", "Emi", "Haruka", "Haruto", "Hideki", "Hina", "Hiroki", "Hiroko", "Hiroshi",
	"Hiroto", "Kaito", "Kazuki", "Kazuya", "Keiko", "Ken", "Kenji", "Kenta", "Koji", "Mai", "Makoto", "Mariko", "Masaki",
	"Masato", "Mayumi", "Megumi", "Minoru", "Misaki", "Naoki", "Naoko", "Riku", "Rina", "Ryo", "Ryota", "Sakura",
	"Satoshi", "Shota", "Sota", "Takashi", "Takumi", "Taro", "Tomoko", "Yoko", "Yosuke", "Yui", "Yuka", "Yuki",
	"Yuko", "Yusuke", "Yuta", "Yuto",
	// Korean, Chinese, Vietnamese, South-East Asian
	"Jiwoo", "Jimin", "Minjun", "Seojun", "Seoyeon", "Jisoo", "Hyun", "Minho", "Wei", "Li", "Ming", "Jing", "Xin",
	"Yan", "Hao", "Jun", "Lan", "Linh", "Minh", "Thanh", "Tuan", "Huong", "Anh", "Nguyen", "Siti", "Putri", "Budi",
	// Indian, Middle Eastern, African
	"Aarav", "Aditya", "Aisha", "Amit", "Ananya", "Anil", "Arjun", "Deepak", "Divya", "Fatima", "Hassan", "Ishaan",
	"Kavya", "Lakshmi", "Mohammed", "Muhammad", "Neha", "Nikhil", "Omar", "Pooja", "Priya", "Rahul", "Raj", "Ravi",
	"Rohan", "Sanjay", "Sara", "Sunil", "Vikram", "Yusuf", "Zara", "Kwame", "Amara", "Chinedu",
	// Spanish, Portuguese, Italian, French, German, Nordic, Slavic
	"Alejandro", "Ana", "Andrea", "Antonio", "Carlos", "Carmen", "Diego", "Elena", "Fernando", "Francisco", "Gabriel",
	"Isabel", "Javier", "Jorge", "Jose", "José", "Juan", "Laura", "Lucia", "Luis", "Manuel", "Maria", "María", "Miguel",
	"Pablo", "Pedro", "Rafael", "Ricardo", "Sofia", "João", "Luca", "Marco", "Giulia", "Francesca", "Camille", "Pierre",
	"Julien", "Louis", "Chloé", "Léa", "Lukas", "Felix", "Jonas", "Lena", "Anja", "Hannes", "Lars", "Sven", "Ingrid",
	"Astrid", "Ivan", "Dmitri", "Olga", "Natalia", "Katarzyna", "Piotr",
	// More English given names, and the short forms colleagues use
	"Abby", "Abigail", "Adrian", "Aiden", "Alexa", "Alexis", "Alicia", "Allison", "Alyssa", "Andre", "Angie", "Annie",
	"Becky", "Betty", "Billy", "Bobby", "Brad", "Bradley", "Brandon", "Brenda", "Brett", "Bridget", "Brittany", "Bryan",
	"Caleb", "Cameron", "Carl", "Carla", "Carol", "Carrie", "Casey", "Cassie", "Cathy", "Chad", "Cheryl", "Chuck",
	"Cindy", "Colin", "Connor", "Courtney", "Craig", "Crystal", "Curtis", "Cynthia", "Dan", "Dana", "Danny", "Darren",
	"Dave", "Debbie", "Derek", "Doug", "Douglas", "Dylan", "Ed", "Eddie", "Elaine", "Ellie", "Emma", "Erica", "Erin",
	"Evan", "Fiona", "Gavin", "Gemma", "Greg", "Gregory", "Hailey", "Heather", "Holly", "Ian", "Isaac", "Jackie",
	"Jake", "Jamie", "Janet", "Jared", "Jasmine", "Jeff", "Jeffrey", "Jen", "Jenny", "Jeremy", "Jerry", "Jess", "Jill",
	"Jim", "Jimmy", "Joan", "Joanna", "Joel", "Johnny", "Jon", "Josh", "Joyce", "Judy", "Julie", "Justin",
	"Kaitlyn", "Katie", "Kayla", "Keith", "Kelly", "Kelsey", "Kenneth", "Kerry", "Kim", "Kimberly", "Kirsten", "Kristen",
	"Kyle", "Leah", "Lindsay", "Logan", "Lorraine", "Lucas", "Luke", "Maddie", "Madison", "Mandy", "Marcus", "Maria",
	"Marissa", "Martin", "Matt", "Maya", "Melanie", "Melissa", "Mia", "Mike", "Mitch", "Molly", "Monica", "Morgan",
	"Naomi", "Natalie", "Nathaniel", "Neil", "Nick", "Nicole", "Nina", "Owen", "Pam", "Pamela", "Patricia", "Phil",
	"Philip", "Rachael", "Randy", "Rebekah", "Ricky", "Rob", "Robbie", "Roger", "Ron", "Ronald", "Russell", "Ruth",
	"Sally", "Samantha", "Sean", "Seth", "Shane", "Shannon", "Sharon", "Shaun", "Sheila", "Simon", "Stacy", "Stan",
	"Stephanie", "Steve", "Stuart", "Suzanne", "Sydney", "Tammy", "Tara", "Taylor", "Teresa", "Theo", "Theresa",
	"Tiffany", "Todd", "Tommy", "Tony", "Tracy", "Travis", "Trevor", "Troy", "Valerie", "Vanessa", "Vince", "Walter",
	"Wendy", "Wes", "Zach", "Zachary",
	// More Asian given names in Latin letters
	"Hiro", "Kenichi", "Shin", "Shinji", "Takeshi", "Tetsuya", "Tomoya", "Yoshi", "Yuji", "Yumi", "Eun", "Hana",
	"Jae", "Jin", "Joon", "Seo", "Sung", "Mei", "Xiao", "Yu", "Zhang", "Chen", "Wang", "Liu", "Huang",
	"Duc", "Hung", "Lam", "Mai", "Phuong", "Quang", "Trang", "Arun", "Kiran", "Meera", "Pranav", "Rajesh", "Ramesh",
	"Shreya", "Sneha", "Suresh", "Varun", "Venkat", "Vijay",
)

// surnameList are frequent family names in Latin letters, masked also
// alone (Chen agreed, ask Patel).
var surnameList = setOf("Chen", "Wang", "Zhang", "Liu", "Huang", "Zhao", "Zhou", "Kim", "Choi",
	"Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Nguyen", "Tran", "Pham", "Hoang", "Dang", "Patel",
	"Singh", "Kumar", "Sharma", "Gupta", "Reddy", "Iyer", "Nair", "Khan", "Ahmed", "Garcia",
	"Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez", "Torres", "Smith",
	"Johnson", "Williams", "Jones", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Thompson",
	"Harris", "Clark", "Lewis", "Robinson", "Wright", "Allen", "Scott",
	"Adams", "Nelson", "Carter", "Mitchell", "Roberts", "Phillips", "Campbell", "Parker", "Evans",
	"Edwards", "Collins", "Stewart", "Morris", "Murphy", "Rogers", "Morgan", "Cooper", "Peterson",
	"Bailey", "Kelly", "Howard", "Richardson", "Watson", "Bennett", "Hughes",
	"Price", "Sanders", "Myers", "Foster", "Miller", "Müller", "Schmidt", "Schneider",
	"Fischer", "Weber", "Meyer", "Wagner", "Becker", "Dubois", "Bernard", "Rossi", "Russo", "Ferrari",
	"Silva", "Santos", "Oliveira", "Souza", "Costa", "Ivanov", "Petrov", "Kowalski", "Nowak", "O'Brien", "O'Connor",
	"O'Neill", "McDonald", "MacDonald", "McCarthy", "Murray", "Quinn", "Walsh", "Byrne", "Ryan", "Doyle")
