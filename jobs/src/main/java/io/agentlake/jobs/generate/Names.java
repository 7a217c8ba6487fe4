package io.agentlake.jobs.generate;

import java.util.List;

/** Fixed word lists so that people, agents and purposes look real and stay deterministic. */
final class Names {
  private Names() {}

  static final String DOMAIN = "northwind-labs.com";

  static final List<String> FIRST =
      List.of(
          "Priya",
          "James",
          "Aiko",
          "Mateo",
          "Fatima",
          "Lukas",
          "Chloe",
          "Oluwaseun",
          "Sofia",
          "Daniel",
          "Mei",
          "Arjun",
          "Hannah",
          "Kwame",
          "Elena",
          "Tomasz",
          "Grace",
          "Omar",
          "Ingrid",
          "Rafael",
          "Nadia",
          "Samuel",
          "Yuki",
          "Amara",
          "Liam",
          "Zara",
          "Henrik",
          "Lucia",
          "Ethan",
          "Anika",
          "Diego",
          "Freya",
          "Hiroshi",
          "Leila",
          "Marcus",
          "Noor",
          "Oscar",
          "Paula",
          "Ravi",
          "Sienna",
          "Tariq",
          "Valentina",
          "Wei",
          "Ximena",
          "Yusuf",
          "Zoe",
          "Bruno",
          "Camila",
          "Dmitri",
          "Esther",
          "Felix",
          "Gabriela",
          "Hugo",
          "Isabel",
          "Jonas",
          "Kavya",
          "Leon");

  static final List<String> LAST =
      List.of(
          "Sharma",
          "OConnor",
          "Tanaka",
          "Fernandez",
          "Haddad",
          "Becker",
          "Martin",
          "Adeyemi",
          "Rossi",
          "Cohen",
          "Chen",
          "Patel",
          "Schmidt",
          "Mensah",
          "Popescu",
          "Nowak",
          "Kim",
          "Farouk",
          "Lindqvist",
          "Costa",
          "Petrova",
          "Okafor",
          "Sato",
          "Diallo",
          "Murphy",
          "Khan",
          "Hansen",
          "Moreno",
          "Walker",
          "Gupta",
          "Silva",
          "Novak",
          "Ito",
          "Rahman",
          "Dubois",
          "Yilmaz",
          "Jensen",
          "Alvarez",
          "Wright",
          "Nair",
          "Kowalski",
          "Bianchi",
          "Lopez",
          "Zhang");

  static final List<String> DEPARTMENTS =
      List.of(
          "Engineering",
          "Customer Support",
          "Finance",
          "Sales",
          "Marketing",
          "Data Platform",
          "Security",
          "Legal",
          "People Operations",
          "IT");

  static final List<String> TITLES =
      List.of(
          "Software Engineer",
          "Senior Software Engineer",
          "Data Scientist",
          "Support Lead",
          "Financial Analyst",
          "Account Executive",
          "Product Manager",
          "Security Engineer",
          "Platform Engineer",
          "Engineering Manager");

  /** Agent base names and purposes; the first five name the planted home-grown agents. */
  static final List<String[]> AGENTS =
      List.of(
          new String[] {"doc-indexer", "Index product documentation into the search store"},
          new String[] {"ledger-sync", "Reconcile the ledger with the bank feed every night"},
          new String[] {"infra-helper", "Answer on-call questions about infrastructure"},
          new String[] {"invoice-triage", "Classify incoming invoices and route them to approvers"},
          new String[] {"release-runner", "Package and deploy release candidates"},
          new String[] {"support-summariser", "Summarise support tickets, draft first replies"},
          new String[] {"contract-reviewer", "Flag risky clauses in vendor contracts"},
          new String[] {"lead-enricher", "Enrich new sales leads with public company data"},
          new String[] {"hr-faq", "Answer employee questions about \"benefits\" and leave"},
          new String[] {"churn-watch", "Spot accounts likely to churn, notify owners"},
          new String[] {"log-explainer", "Explain error spikes in application logs"},
          new String[] {"pricing-assistant", "Suggest discounts within pricing policy"},
          new String[] {"meeting-notes", "Turn meeting transcripts into action items"},
          new String[] {"security-triage", "Triage GuardDuty findings, open tickets"},
          new String[] {"expense-checker", "Check expense reports against the travel policy"},
          new String[] {"qa-generator", "Write regression test ideas from bug reports"},
          new String[] {"catalog-tagger", "Tag catalogue items with categories"},
          new String[] {"sql-copilot", "Draft SQL for analysts from plain questions"},
          new String[] {"onboarding-buddy", "Guide new hires through their first week"},
          new String[] {"vendor-risk", "Score vendors from questionnaires"});

  static final List<String> PROJECTS =
      List.of("Support Automation", "Revenue Intelligence", "Finance Ops", "Internal Tools");

  static final List<String> MODELS =
      List.of(
          "anthropic.claude-3-5-sonnet-20240620-v1:0",
          "anthropic.claude-3-haiku-20240307-v1:0",
          "amazon.titan-text-premier-v1:0",
          "meta.llama3-1-70b-instruct-v1:0");

  static final List<String> CITIES =
      List.of("London", "Berlin", "New York", "Toronto", "Singapore", "Lisbon", "Austin");

  /**
   * The i-th (first, last, email local part). The list sizes are coprime, so (i mod first, i mod
   * last) is distinct for every i below their product; beyond it the local part gets a number.
   */
  static String[] person(int i) {
    String first = FIRST.get(i % FIRST.size());
    String last = LAST.get(i % LAST.size());
    int round = i / (FIRST.size() * LAST.size());
    String local =
        (first + "." + last).toLowerCase(java.util.Locale.ROOT) + (round == 0 ? "" : round + 1);
    return new String[] {first, last, local};
  }

  /** A unique agent name: the base name, suffixed when the list wraps around. */
  static String[] agent(int i) {
    String[] base = AGENTS.get(i % AGENTS.size());
    int round = i / AGENTS.size();
    return round == 0 ? base : new String[] {base[0] + "-" + (round + 1), base[1]};
  }
}
