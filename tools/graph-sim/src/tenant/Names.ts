// Word lists the generator draws from. 128 first x 128 last names give 16,384 distinct people before
// the generator has to add a number to keep userPrincipalName unique.

export const FIRST_NAMES: ReadonlyArray<string> = [
  "Adele", "Alex", "Allan", "Amara", "Amir", "Ana", "Anders", "Andre", "Anika", "Ann", "Arjun", "Astrid",
  "Ayesha", "Beatriz", "Ben", "Bianca", "Bilal", "Boris", "Brian", "Camila", "Carlos", "Chen", "Chloe", "Chris",
  "Clara", "Cyrus", "Dalia", "Dan", "Daniela", "Dario", "David", "Diego", "Dmitri", "Elena", "Eli", "Elif",
  "Emma", "Enzo", "Erik", "Esther", "Fatima", "Felix", "Fiona", "Francesca", "Gabriel", "Grace", "Greta", "Hana",
  "Hannah", "Hassan", "Hugo", "Ida", "Ilya", "Ines", "Irene", "Isaac", "Ivan", "Jakob", "James", "Jana",
  "Javier", "Jin", "Joanna", "Johan", "Jonas", "Jose", "Julia", "Kai", "Karin", "Kenji", "Kira", "Lars",
  "Laura", "Lea", "Lee", "Leila", "Leo", "Lidia", "Lin", "Lucas", "Luisa", "Lynne", "Maja", "Malik",
  "Marco", "Maria", "Mateo", "Megan", "Mei", "Miguel", "Mila", "Miriam", "Mohamed", "Nadia", "Nathan", "Nestor",
  "Nia", "Nina", "Noah", "Nora", "Olga", "Omar", "Oscar", "Patti", "Paulo", "Pedro", "Petra", "Priya",
  "Rafael", "Raj", "Rosa", "Ruth", "Sakura", "Samir", "Sara", "Sean", "Sofia", "Stefan", "Tariq", "Tess",
  "Theo", "Tomas", "Uma", "Vera", "Victor", "Wei", "Yara", "Zoe"
]

export const LAST_NAMES: ReadonlyArray<string> = [
  "Abbott", "Adams", "Aguilar", "Ahmed", "Alvarez", "Andersen", "Arai", "Bakker", "Banerjee", "Barros", "Becker", "Bergstrom",
  "Bianchi", "Brooks", "Brown", "Bruno", "Carvalho", "Castro", "Chang", "Chen", "Clarke", "Costa", "Cruz", "Dahl",
  "Das", "Dubois", "Duval", "Eriksen", "Evans", "Farah", "Fernandes", "Fischer", "Fontaine", "Garcia", "Gomez", "Green",
  "Gupta", "Haddad", "Hall", "Hansen", "Hayes", "Hoffmann", "Horvat", "Hughes", "Ibrahim", "Ito", "Jansen", "Jensen",
  "Johansson", "Kaur", "Kim", "Klein", "Kowalski", "Kumar", "Laine", "Larsen", "Lee", "Lewis", "Lindqvist", "Lopez",
  "Lund", "Marin", "Martin", "Meyer", "Mishra", "Moreau", "Morris", "Murphy", "Nakamura", "Navarro", "Nguyen", "Nielsen",
  "Novak", "Okafor", "Oliveira", "Olsen", "Ortiz", "Park", "Patel", "Pereira", "Petrov", "Popescu", "Quinn", "Rahman",
  "Ramos", "Reyes", "Richter", "Rossi", "Russo", "Saito", "Santos", "Sato", "Schmidt", "Schulz", "Shah", "Silva",
  "Singh", "Smith", "Sorensen", "Suzuki", "Svensson", "Tanaka", "Taylor", "Thomas", "Torres", "Tran", "Turner", "Vance",
  "Varga", "Vega", "Vogel", "Wagner", "Walker", "Wang", "Weber", "White", "Williams", "Wilson", "Wong", "Wright",
  "Yamada", "Yilmaz", "Young", "Zhang", "Zhou", "Zimmer", "Zuniga", "Ozturk"
]

export const DEPARTMENTS: ReadonlyArray<string> = [
  "Engineering", "Sales", "Marketing", "Finance", "Human Resources", "Legal", "Operations", "Support",
  "Research", "IT", "Procurement", "Facilities", "Product", "Security", "Data"
]

export const JOB_TITLES: ReadonlyArray<string> = [
  "Software Engineer", "Senior Software Engineer", "Engineering Manager", "Account Executive", "Sales Manager",
  "Marketing Specialist", "Financial Analyst", "HR Generalist", "Counsel", "Operations Analyst",
  "Support Engineer", "Research Scientist", "IT Administrator", "Buyer", "Product Manager", "Security Analyst",
  "Data Scientist", "Director", "Vice President", "Intern"
]

export const OFFICES: ReadonlyArray<string> = [
  "Seattle", "London", "Berlin", "Bangalore", "Sao Paulo", "Tokyo", "Paris", "Toronto", "Sydney", "Remote"
]

export const COUNTRIES: ReadonlyArray<string> = ["US", "GB", "DE", "IN", "BR", "JP", "FR", "CA", "AU", "NL"]

export const LANGUAGES: ReadonlyArray<string> = ["en-US", "en-GB", "de-DE", "en-IN", "pt-BR", "ja-JP", "fr-FR"]

export const PARTNER_DOMAINS: ReadonlyArray<string> = [
  "fabrikam.com", "northwindtraders.com", "adventure-works.com", "tailspintoys.com", "wingtiptoys.com",
  "litware.com", "woodgrovebank.com", "proseware.com"
]

export const GROUP_TOPICS: ReadonlyArray<string> = [
  "Finance", "Payroll", "Sales", "Marketing", "Engineering", "Platform", "Mobile", "Web", "Data", "Analytics",
  "Security", "Compliance", "Legal", "HR", "Recruiting", "Support", "Operations", "Facilities", "Procurement",
  "Research", "Design", "Product", "QA", "DevOps", "SRE", "Identity", "Network", "Helpdesk", "Executives",
  "Partners", "Contractors", "Interns", "Alumni", "Travel", "Events", "Wellbeing", "Sustainability", "Training"
]

export const APP_WORDS: ReadonlyArray<string> = [
  "Contoso", "Atlas", "Beacon", "Compass", "Delta", "Echo", "Falcon", "Harbor", "Helix", "Horizon", "Jade",
  "Keystone", "Lumen", "Meridian", "Nimbus", "Orbit", "Pioneer", "Quartz", "Relay", "Summit", "Tempo", "Vertex"
]

export const APP_KINDS: ReadonlyArray<string> = [
  "Portal", "CRM", "HR Connector", "Payroll Sync", "Analytics", "Ticketing", "Wiki", "Build Agent", "Backup",
  "Scanner", "Reporting", "Gateway", "Scheduler", "Mailer", "Billing", "Provisioning"
]

export const OPERATING_SYSTEMS: ReadonlyArray<readonly [string, string]> = [
  ["Windows", "10.0.22631.3880"], ["Windows", "10.0.19045.4651"], ["MacMDM", "14.5"], ["iOS", "17.5.1"],
  ["Android", "14.0"], ["Linux", "22.04"]
]
