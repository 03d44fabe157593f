/**
 * One simulated person of the load bench: signs up and signs in through the studio's real auth
 * endpoints, makes two workflows and publishes one by link, then browses, opens, saves (from two
 * tabs, so stale saves meet 409), forks others' shared workflows and reads share pages until the
 * run ends. Every save carries a unique marker in its document and lands in the ledger
 * (load-ledger.ts) as acknowledged or in doubt.
 */
import type { WorkflowDocument } from "../../nodes/core/document";
import { RequestBudgetSpent, type Answer, type LoadClient } from "./load-client";
import type { Ack, InDoubt } from "./load-ledger";
import { libraryQuery, pick, pickAction, thinkTime, type Action } from "./load-mix";

/** A fork adds a workflow to the person's library; past this many, forking stops growing it. */
const MAX_FORKS_PER_USER = 10;
/** How often a save goes to the published workflow that others are reading and forking. */
const SHARED_SAVE_SHARE = 0.6;
/** The note node whose text carries each save's marker. */
const MARKER_NODE = "about";
const MARKER_PREFIX = "load:";

/** What all simulated users share: published links, templates, and the ledger of saves. */
export interface World {
  readonly runId: string;
  readonly baseDocument: WorkflowDocument;
  readonly shareTokens: { token: string; owner: number }[];
  readonly templateIds: string[];
  readonly acks: Ack[];
  readonly inDoubt: InDoubt[];
  /** Two tabs saving the same version at once: how many times one won, both won, none won. */
  readonly races: { one: number; both: number; none: number };
  /** Wrong answers that were still the expected status (e.g. a 409 naming an older version). */
  readonly anomalies: string[];
}

interface Tab {
  base: number;
}

interface OwnWorkflow {
  readonly id: string;
  readonly tabs: [Tab, Tab];
}

/** The marker in a stored document, or null when it has none (a template, say). */
export function markerOf(documentJson: string): string | null {
  const doc = JSON.parse(documentJson) as { nodes?: { id: string; params?: { text?: unknown } }[] };
  const text = doc.nodes?.find((n) => n.id === MARKER_NODE)?.params?.text;
  if (typeof text !== "string" || !text.startsWith(MARKER_PREFIX)) return null;
  return text.split("\n", 1)[0];
}

export class SimulatedUser {
  private readonly own: OwnWorkflow[] = [];
  private readonly email: string;
  private readonly password: string;
  private saves = 0;
  private forks = 0;

  constructor(
    readonly index: number,
    readonly client: LoadClient,
    private readonly world: World,
    private readonly random: () => number = Math.random,
  ) {
    this.email = `load-${world.runId}-${index}@example.com`;
    this.password = `load user ${index} has a long password`;
  }

  private document(marker: string, name: string): WorkflowDocument {
    const base = this.world.baseDocument;
    return {
      ...base,
      name,
      nodes: base.nodes.map((n) =>
        n.id === MARKER_NODE
          ? { ...n, params: { ...n.params, text: `${marker}\n${String(n.params.text ?? "")}` } }
          : n,
      ),
    };
  }

  private nextMarker(workflow: number | string): string {
    return `${MARKER_PREFIX}${this.world.runId}:u${this.index}:${workflow}:s${++this.saves}`;
  }

  /** Sign-up, a fresh sign-in, two workflows (one published), the template list. */
  async setUp(): Promise<void> {
    const c = this.client;
    const name = `Load user ${this.index}`;
    await this.must(
      c.request({
        method: "POST",
        path: "/api/auth/sign-up/email",
        route: "/api/auth/sign-up/email",
        json: { name, email: this.email, password: this.password },
        expect: [200],
      }),
      "sign up",
    );
    // Signing in again as a returning person would: a new session from the password.
    c.jar.clear();
    await this.must(
      c.request({
        method: "POST",
        path: "/api/auth/sign-in/email",
        route: "/api/auth/sign-in/email",
        json: { email: this.email, password: this.password },
        expect: [200],
      }),
      "sign in",
    );
    const session = await this.must(
      c.request({
        method: "GET",
        path: "/api/auth/get-session",
        route: "/api/auth/get-session",
        expect: [200],
      }),
      "session",
    );
    const email = (JSON.parse(session.body) as { user?: { email?: string } } | null)?.user?.email;
    if (email !== this.email) throw new Error(`user ${this.index}: the session is not theirs`);

    for (let w = 0; w < 2; w++) {
      const marker = this.nextMarker(`w${w}`);
      const created = await this.must(
        c.request({
          method: "POST",
          path: "/api/workflows",
          route: "/api/workflows",
          json: {
            document: this.document(marker, `Load ${this.index} workflow ${w}`),
            tags: w === 0 ? ["bench", "shared"] : ["bench", "portrait"],
            description: `made by the load bench for user ${this.index}`,
          },
          expect: [201],
        }),
        "create a workflow",
      );
      const { id, latestVersion } = JSON.parse(created.body) as WorkflowReply;
      this.world.acks.push({ workflowId: id, version: latestVersion, marker });
      this.own.push({ id, tabs: [{ base: latestVersion }, { base: latestVersion }] });
    }
    const published = await this.must(
      c.request({
        method: "PUT",
        path: `/api/workflows/${this.own[0].id}/share`,
        route: "/api/workflows/:id/share",
        json: { visibility: this.index % 5 === 0 ? "public" : "link" },
        expect: [200],
      }),
      "publish",
    );
    const { shareToken } = JSON.parse(published.body) as { shareToken: string };
    this.world.shareTokens.push({ token: shareToken, owner: this.index });

    const templates = await this.must(
      c.request({
        method: "GET",
        path: "/api/workflows?kind=templates",
        route: "/api/workflows",
        expect: [200],
      }),
      "list templates",
    );
    if (this.world.templateIds.length === 0) {
      const { workflows } = JSON.parse(templates.body) as { workflows: { id: string }[] };
      this.world.templateIds.push(...workflows.map((w) => w.id));
    }
  }

  /**
   * Each read route a few times, before the measured run: a production server loads a route's
   * code on its first request, which is start-up cost, not the steady state the targets are about.
   */
  async warmUp(rounds = 3): Promise<void> {
    for (let r = 0; r < rounds; r++) {
      await this.list();
      await this.open();
      await this.readShare(true);
      await this.readShare(false);
      await this.act("gallery");
    }
  }

  private async must(pending: Promise<Answer>, what: string): Promise<Answer> {
    const answer = await pending;
    // The client has already filed the error sample; setup cannot go on without this step.
    if (answer.status < 200 || answer.status >= 300) {
      throw new Error(
        `user ${this.index} could not ${what}: ${answer.status || "no answer"} ${answer.body.slice(0, 200)}`,
      );
    }
    return answer;
  }

  /** Acts until `deadline` (a performance.now() time) or until the request budget is spent. */
  async run(deadline: number, thinkMs: number): Promise<void> {
    // Staggered starts: fifty people do not all click at the same millisecond.
    await sleep(this.random() * thinkMs);
    try {
      while (performance.now() < deadline) {
        const action = pickAction(this.random);
        try {
          await this.act(action);
        } catch (err) {
          if (err instanceof RequestBudgetSpent) throw err;
          // An answer with the expected status that the user could not make sense of.
          this.world.anomalies.push(`user ${this.index}, ${action}: ${(err as Error).message}`);
        }
        const pause = thinkTime(this.random, thinkMs);
        if (performance.now() + pause >= deadline) break;
        await sleep(pause);
      }
    } catch (err) {
      if (!(err instanceof RequestBudgetSpent)) throw err;
    }
  }

  private async act(action: Action): Promise<void> {
    switch (action) {
      case "list":
        return this.list();
      case "open":
        return this.open();
      case "save":
        return this.save();
      case "save-race":
        return this.saveRace();
      case "fork":
        return this.fork();
      case "share-page":
        return this.readShare(true);
      case "share-api":
        return this.readShare(false);
      case "gallery":
        return void (await this.client.request({
          method: "GET",
          path: "/api/share",
          route: "/api/share",
          expect: [200],
        }));
    }
  }

  private async list(): Promise<void> {
    await this.client.request({
      method: "GET",
      path: `/api/workflows?${libraryQuery(this.random)}`,
      route: "/api/workflows",
      expect: [200],
    });
  }

  /** Opens one of one's own workflows or a template, as the editor does (read, then "opened"). */
  private async open(): Promise<void> {
    const templates = this.world.templateIds;
    const id =
      templates.length > 0 && this.random() < 0.2
        ? pick(this.random, templates)
        : pick(this.random, this.own).id;
    const read = await this.client.request({
      method: "GET",
      path: `/api/workflows/${id}`,
      route: "/api/workflows/:id",
      expect: [200],
    });
    if (read.status !== 200) return;
    await this.client.request({
      method: "POST",
      path: `/api/workflows/${id}/opened`,
      route: "/api/workflows/:id/opened",
      expect: [204],
    });
  }

  private pickOwn(): OwnWorkflow {
    return this.random() < SHARED_SAVE_SHARE ? this.own[0] : pick(this.random, this.own);
  }

  /** Saves from one of two tabs; a stale tab gets 409 and reloads, as the editor offers. */
  private async save(): Promise<void> {
    const workflow = this.pickOwn();
    const tab = pick(this.random, workflow.tabs);
    const answer = await this.put(workflow, tab);
    if (answer.status !== 200) await this.reload(workflow, [tab]);
  }

  /** Both tabs on the newest version save at the same moment: exactly one may win. */
  private async saveRace(): Promise<void> {
    const workflow = this.pickOwn();
    if (!(await this.reload(workflow, workflow.tabs))) return;
    const answers = await Promise.all(workflow.tabs.map((tab) => this.put(workflow, tab)));
    const won = answers.filter((a) => a.status === 200).length;
    const lost = answers.filter((a) => a.status === 409).length;
    if (won === 1 && lost === 1) this.world.races.one++;
    else if (won === 2) this.world.races.both++;
    else if (won === 0 && lost === 2) this.world.races.none++;
    await this.reload(
      workflow,
      workflow.tabs.filter((_, i) => answers[i].status !== 200),
    );
  }

  /** PUT with the tab's base version; files the outcome in the ledger. */
  private async put(workflow: OwnWorkflow, tab: Tab): Promise<Answer> {
    const marker = this.nextMarker(workflow.id);
    const base = tab.base;
    const answer = await this.client.request({
      method: "PUT",
      path: `/api/workflows/${workflow.id}`,
      route: "/api/workflows/:id",
      json: {
        document: this.document(marker, `Load ${this.index} workflow`),
        baseVersion: base,
        message: `bench save ${this.saves}`,
      },
      expect: [200, 409],
    });
    if (answer.status === 200) {
      const { latestVersion } = JSON.parse(answer.body) as WorkflowReply;
      this.world.acks.push({ workflowId: workflow.id, version: latestVersion, marker });
      if (latestVersion !== base + 1) {
        this.world.anomalies.push(
          `${workflow.id}: a save on v${base} was acknowledged as v${latestVersion}`,
        );
      }
      tab.base = latestVersion;
    } else if (answer.status === 409) {
      const { currentVersion } = JSON.parse(answer.body) as { currentVersion: number };
      if (!(currentVersion > base)) {
        this.world.anomalies.push(
          `${workflow.id}: a save on v${base} was refused although the newest is v${currentVersion}`,
        );
      }
    } else {
      this.world.inDoubt.push({ workflowId: workflow.id, marker });
    }
    return answer;
  }

  /** Reads the workflow and puts the tabs on its newest version; false if the read failed. */
  private async reload(workflow: OwnWorkflow, tabs: readonly Tab[]): Promise<boolean> {
    const answer = await this.client.request({
      method: "GET",
      path: `/api/workflows/${workflow.id}`,
      route: "/api/workflows/:id",
      expect: [200],
    });
    if (answer.status !== 200) return false;
    const { latestVersion } = JSON.parse(answer.body) as WorkflowReply;
    for (const tab of tabs) tab.base = latestVersion;
    return true;
  }

  private othersToken(): string | undefined {
    const others = this.world.shareTokens.filter((t) => t.owner !== this.index);
    return others.length > 0 ? pick(this.random, others).token : undefined;
  }

  private async fork(): Promise<void> {
    const token = this.othersToken();
    if (!token || this.forks >= MAX_FORKS_PER_USER) return this.readShare(false);
    const answer = await this.client.request({
      method: "POST",
      path: `/api/share/${token}/fork`,
      route: "/api/share/:token/fork",
      expect: [201],
    });
    if (answer.status !== 201) return;
    this.forks++;
    const { id, latestVersion } = JSON.parse(answer.body) as WorkflowReply;
    // The fork's first version is the source as it was then; its marker is the source's.
    this.world.acks.push({ workflowId: id, version: latestVersion, marker: null });
    this.own.push({ id, tabs: [{ base: latestVersion }, { base: latestVersion }] });
  }

  /** Someone else's published workflow: the share page's HTML or its JSON. */
  private async readShare(page: boolean): Promise<void> {
    const token = this.othersToken();
    if (!token) return;
    await this.client.request({
      method: "GET",
      path: page ? `/s/${token}` : `/api/share/${token}`,
      route: page ? "/s/:token" : "/api/share/:token",
      expect: [200],
    });
  }
}

interface WorkflowReply {
  id: string;
  latestVersion: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
