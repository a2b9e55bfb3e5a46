package anonymize

// givenNames are common given names in the languages Taiwa's users write
// about their colleagues in: English, Japanese and other Asian names in
// Latin letters, Spanish, Portuguese, French, German, Indian. A capitalized
// word in this list is taken as a name (with the capitalized word after it
// as the surname). Words that are also ordinary English (May, June, Will,
// Hope, Grace, Bill, Art) are left out: the organization's term list covers
// them when needed.
var givenNames = setOf(
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
)
