// The partner developers' GraphQL IDE: GraphiQL (from npm, bundled by `npm run build:ide`; nothing
// from a CDN), against this gateway's /graphql. The caller's token and purpose are entered above the
// IDE and sent as `Authorization` and `x-purpose` with every request; they stay in this page's
// memory only. The schema is the client schema (schema/api.graphql, served at
// /graphiql/api.graphql), whose field descriptions carry each field's sharing class: the docs show
// who may see a field, and no introspection is sent (GraphiQL's introspection query is 15 fields
// deep, past the gateway's depth limit of 12, and needs a token first). The example operations
// (examples/operations/) open as tabs.
import { createRoot } from 'react-dom/client';
import { useRef, useState } from 'react';
import { GraphiQL } from 'graphiql';
import { buildSchema } from 'graphql';
import 'graphiql/style.css';
import './ide.css';

/* global __PURPOSES__, __EXAMPLES__ */
const PURPOSES = __PURPOSES__;
const EXAMPLES = __EXAMPLES__;

// The first tab. (It has no variables: GraphiQL 4 leaves the first tab's variables editor empty.)
const WELCOME = {
  query: `# 府院府检联动 — the linkage graph, in development. Enter a token and a purpose above, then run
# (Ctrl-Enter). A partner's token: npm run -s token -- --org partner --roles viewer
# The docs (the book, left) give each field's sharing class: who may see it, for which purposes.
# The other tabs are the example operations (examples/operations/), each naming its caller.
# Purpose: STATISTICS
query District {
  district {
    name
    agencies {
      id
      name
      kind
      head
    }
  }
}
`,
  variables: '',
};

/** The purpose an example names in its `# Purpose:` line, if it is one. */
function purposeOf(query) {
  const named = /^# Purpose: (\w+)$/m.exec(query ?? '')?.[1];
  return PURPOSES.includes(named) ? named : null;
}

function Ide({ schema }) {
  const [token, setToken] = useState('');
  const [purpose, setPurpose] = useState('STATISTICS');
  // The fetcher is made once; it reads the caller as it is when a query runs.
  const caller = useRef({ token, purpose });
  caller.current = { token, purpose };
  const [fetcher] = useState(() => async (params, options) => {
    const { token: current, purpose: declared } = caller.current;
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        ...(options?.headers ?? {}),
        'content-type': 'application/json',
        accept: 'application/json',
        ...(current.trim() ? { authorization: `Bearer ${current.trim().replace(/^Bearer\s+/i, '')}` } : {}),
        'x-purpose': declared,
      },
      body: JSON.stringify(params),
    });
    return response.json();
  });

  return (
    <>
      <header className="ide-caller">
        <h1>府院府检联动 · GraphiQL</h1>
        <label>
          Token
          <input id="ide-token" type="password" autoComplete="off" spellCheck={false} placeholder="eyJhbGciOi… (npm run -s token -- --org partner --roles viewer)" value={token} onChange={(e) => setToken(e.target.value)} />
        </label>
        <label>
          Purpose
          <select id="ide-purpose" value={purpose} onChange={(e) => setPurpose(e.target.value)}>
            {PURPOSES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <span className="ide-hint">
          Development only. Each example names its caller and purpose; every request is in the access log.
        </span>
      </header>
      <div className="ide-main">
        <GraphiQL
          fetcher={fetcher}
          schema={schema}
          defaultTabs={[WELCOME, ...EXAMPLES]}
          defaultEditorToolsVisibility="variables"
          shouldPersistHeaders={false}
          // Opening an example declares the purpose it names (the select shows it; it can be changed).
          onTabChange={(tabs) => {
            const declared = purposeOf(tabs.tabs[tabs.activeTabIndex]?.query);
            if (declared) setPurpose(declared);
          }}
        />
      </div>
    </>
  );
}

async function main() {
  const root = createRoot(document.getElementById('ide'));
  try {
    const response = await fetch('/graphiql/api.graphql');
    if (!response.ok) throw new Error(`the client schema could not be loaded (HTTP ${response.status})`);
    root.render(<Ide schema={buildSchema(await response.text())} />);
  } catch (error) {
    root.render(<p className="ide-error">{String(error instanceof Error ? error.message : error)}</p>);
  }
}

main();
