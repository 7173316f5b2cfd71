import { useState } from 'react';
import { CopyButton } from './CopyButton';

const SNIPPETS = {
  node: {
    label: 'Node.js',
    code: `// npm install standardwebhooks express
import crypto from 'node:crypto';
import express from 'express';
import { Webhook } from 'standardwebhooks';

const secret = process.env.WEBHOOK_SECRET; // whsec_... as shown above
const app = express();

// Verify the raw body: re-serialized JSON would not match the signature.
app.post('/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
  // Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature (rejects stale timestamps).
  let event;
  try {
    event = new Webhook(secret).verify(req.body, req.headers);
  } catch {
    return res.status(401).send('bad signature');
  }
  // Or the simpler header: X-Webhook-Signature: sha256=<hex HMAC of the body with the secret string>.
  const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(req.body).digest('hex');
  const given = String(req.headers['x-webhook-signature'] ?? '');
  if (given.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
    return res.status(401).send('bad signature');
  }
  // Deliveries are at least once: skip a webhook-id you have seen.
  console.log(event.eventType, req.headers['webhook-id']);
  res.sendStatus(204);
});

app.listen(3000);`,
  },
  python: {
    label: 'Python',
    code: `# pip install standardwebhooks flask
import hashlib, hmac, os
from flask import Flask, request
from standardwebhooks.webhooks import Webhook

secret = os.environ["WEBHOOK_SECRET"]  # whsec_... as shown above
app = Flask(__name__)

@app.post("/webhooks")
def webhooks():
    body = request.get_data()  # the raw bytes, exactly as signed
    # Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature.
    try:
        event = Webhook(secret).verify(body, dict(request.headers))
    except Exception:
        return "bad signature", 401
    # Or the simpler header: X-Webhook-Signature: sha256=<hex HMAC of the body with the secret string>.
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Webhook-Signature", "")):
        return "bad signature", 401
    # Deliveries are at least once: skip a webhook-id you have seen.
    print(event["eventType"], request.headers["webhook-id"])
    return "", 204`,
  },
} as const;

export function VerificationSnippets() {
  const [language, setLanguage] = useState<keyof typeof SNIPPETS>('node');
  const snippet = SNIPPETS[language];
  return (
    <div className="snippets">
      <div role="group" aria-label="Language" className="segmented">
        {(Object.keys(SNIPPETS) as (keyof typeof SNIPPETS)[]).map((key) => (
          <button
            key={key}
            type="button"
            aria-pressed={language === key}
            className={language === key ? 'selected' : 'secondary'}
            onClick={() => setLanguage(key)}
          >
            {SNIPPETS[key].label}
          </button>
        ))}
      </div>
      <pre tabIndex={0} aria-label={`${snippet.label} verification example`}>
        <code>{snippet.code}</code>
      </pre>
      <CopyButton text={snippet.code} label={`Copy ${snippet.label} example`} />
    </div>
  );
}
