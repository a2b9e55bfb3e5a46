// notify.js: reminders and the calendar. Every user sets their own
// choices (#/notifications): opting out, their Slack member id, a webhook of
// their own, and (managers) a calendar feed. Admins set the organization's
// channels in a section of #/org.
import { api } from './api.js';
import { h, clear, field, formatDate } from './dom.js';
import { t, addMessages, getLang } from './i18n.js';

addMessages({
  ja: {
    'nav.notifications': '通知',
    'notify.title': '通知とカレンダー',
    'notify.prefs': 'リマインド',
    'notify.prefs.hint': '1on1の前に準備とメンバーの事前記入リンクを、後に振り返りと感想を聞くリンクをお知らせします。メモの本文は送りません。',
    'notify.optout': 'リマインドを受け取らない',
    'notify.slack_user': 'SlackのメンバーID',
    'notify.slack_user.hint': 'Slackで自分のプロフィール →「⋮」→「メンバーIDをコピー」（U で始まる ID）。組織のSlackボットからのDMと /taiwa コマンドに使います。',
    'notify.webhook': '自分用のSlack Incoming Webhook（任意）',
    'notify.webhook.hint': '組織のボットがないときに。自分だけが見るチャンネルのWebhookにしてください。空欄のまま保存すると今の設定を保ちます。',
    'notify.webhook.set': '設定済み',
    'notify.webhook.clear': 'Webhookを削除',
    'notify.save': '保存',
    'notify.test': 'テスト通知を送る',
    'notify.test.none': '送り先がまだありません。SlackのメンバーIDを保存するか、管理者にメールの設定を頼んでください。',
    'notify.test.ok': '届きました',
    'notify.test.failed': '届きませんでした',
    'notify.channel.slack': 'Slack',
    'notify.channel.email': 'メール',
    'notify.calendar': 'カレンダー（iCal）',
    'notify.calendar.hint': 'Googleカレンダーは「他のカレンダー」→「URLで追加」、Outlookは「カレンダーを追加」→「Webから購読」に貼り付けます。予定には準備のリンクと、メンバーの事前記入リンクが入ります。',
    'notify.calendar.none': 'まだ購読用URLはありません。',
    'notify.calendar.since': '購読用URLの作成日',
    'notify.calendar.create': '購読用URLを作る',
    'notify.calendar.rotate': '新しいURLに替える（今のURLは使えなくなります）',
    'notify.calendar.revoke': 'URLを無効にする',
    'notify.calendar.url': '購読用URL（この画面でだけ表示されます。他の人に教えないでください）',
    'notify.org': 'リマインドと連携',
    'notify.org.hint': 'Slackボット（chat:write）、SlackのSlashコマンド（/taiwa prep 呼び名）、メール（SMTP）の設定です。シークレットは保存後に表示されません。',
    'notify.public_url': 'リンクのURL（このサーバーに利用者がアクセスするURL）',
    'notify.bot_token': 'Slackボットトークン（xoxb-…）',
    'notify.signing_secret': 'SlackアプリのSigning Secret',
    'notify.team_id': 'SlackワークスペースID（T…）',
    'notify.api_url': 'Slack Web APIのURL（通常は空欄）',
    'notify.smtp_addr': 'SMTPサーバー（host:port）',
    'notify.smtp_user': 'SMTPユーザー名',
    'notify.smtp_password': 'SMTPパスワード',
    'notify.smtp_from': '送信元アドレス',
    'notify.smtp_tls': '暗号化',
    'notify.before': '1on1の何分前に知らせるか',
    'notify.after': '1on1の何分後に振り返りを促すか',
    'notify.secret.set': '（設定済み。変えるときだけ入力）',
  },
  en: {
    'nav.notifications': 'Notifications',
    'notify.title': 'Notifications and calendar',
    'notify.prefs': 'Reminders',
    'notify.prefs.hint': 'Before a 1on1: the prep and your member\'s intake link. After: the reflection and the feedback link. Note text is never sent.',
    'notify.optout': 'Send me no reminders',
    'notify.slack_user': 'Your Slack member ID',
    'notify.slack_user.hint': 'In Slack: your profile → ⋮ → Copy member ID (starts with U). Used for direct messages from your organization\'s bot and the /taiwa command.',
    'notify.webhook': 'Your own Slack incoming webhook (optional)',
    'notify.webhook.hint': 'When your organization has no bot. Use a channel only you read. Left empty, the saved one is kept.',
    'notify.webhook.set': 'Set',
    'notify.webhook.clear': 'Remove the webhook',
    'notify.save': 'Save',
    'notify.test': 'Send me a test message',
    'notify.test.none': 'Nowhere to send yet. Save your Slack member ID, or ask an admin to set up email.',
    'notify.test.ok': 'delivered',
    'notify.test.failed': 'not delivered',
    'notify.channel.slack': 'Slack',
    'notify.channel.email': 'Email',
    'notify.calendar': 'Calendar (iCal)',
    'notify.calendar.hint': 'Google Calendar: Other calendars → From URL. Outlook: Add calendar → Subscribe from web. Events carry the prep link and your member\'s intake link.',
    'notify.calendar.none': 'No calendar URL yet.',
    'notify.calendar.since': 'Calendar URL made',
    'notify.calendar.create': 'Make a calendar URL',
    'notify.calendar.rotate': 'Replace the URL (the current one stops working)',
    'notify.calendar.revoke': 'Turn the URL off',
    'notify.calendar.url': 'Calendar URL (shown here only; keep it to yourself)',
    'notify.org': 'Reminders and integrations',
    'notify.org.hint': 'Slack bot (chat:write), the Slack slash command (/taiwa prep alias), and email (SMTP). Secrets are not shown once saved.',
    'notify.public_url': 'Link URL (where users reach this server)',
    'notify.bot_token': 'Slack bot token (xoxb-…)',
    'notify.signing_secret': 'Slack app signing secret',
    'notify.team_id': 'Slack workspace ID (T…)',
    'notify.api_url': 'Slack Web API URL (usually empty)',
    'notify.smtp_addr': 'SMTP server (host:port)',
    'notify.smtp_user': 'SMTP user name',
    'notify.smtp_password': 'SMTP password',
    'notify.smtp_from': 'From address',
    'notify.smtp_tls': 'Encryption',
    'notify.before': 'Minutes before a 1on1 to remind',
    'notify.after': 'Minutes after a 1on1 to prompt the reflection',
    'notify.secret.set': '(set; type only to change it)',
  },
});

// notificationsView is every user's own page.
export async function notificationsView(main, params, ctx) {
  const prefs = await api('GET', '/api/me/notifications');
  main.append(h('h1', {}, t('notify.title')));
  main.append(prefsForm(prefs, ctx));
  if (ctx.me.user.role === 'manager') main.append(await calendarSection(ctx));
}

function prefsForm(prefs, ctx) {
  const optOut = h('input', { type: 'checkbox', id: 'notify-optout', checked: prefs.opt_out });
  const slackUser = h('input', { type: 'text', id: 'notify-slack-user', value: prefs.slack_user_id, maxlength: 32, pattern: '[UW][A-Z0-9]{2,30}', autocomplete: 'off' });
  const webhook = h('input', { type: 'url', id: 'notify-webhook', placeholder: prefs.slack_webhook_set ? t('notify.webhook.set') : 'https://hooks.slack.com/services/…', autocomplete: 'off' });
  const err = h('div');
  const status = h('p', { class: 'small muted', role: 'status', id: 'notify-status' });
  const save = async (body) => {
    clear(err);
    status.textContent = '';
    try {
      const p = await api('PUT', '/api/me/notifications', body);
      webhook.value = '';
      webhook.placeholder = p.slack_webhook_set ? t('notify.webhook.set') : 'https://hooks.slack.com/services/…';
      status.textContent = t('common.saved');
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    }
  };
  const read = () => {
    const body = { opt_out: optOut.checked, slack_user_id: slackUser.value.trim() };
    if (webhook.value.trim()) body.slack_webhook_url = webhook.value.trim();
    return body;
  };
  const results = h('ul', { class: 'stack small', id: 'notify-test-results', 'aria-live': 'polite' });
  const sendTest = async () => {
    clear(err);
    clear(results);
    try {
      const { deliveries } = await api('POST', '/api/me/notifications/test');
      if (!deliveries.length) results.append(h('li', { class: 'muted' }, t('notify.test.none')));
      for (const d of deliveries) {
        results.append(h('li', {}, t('notify.channel.' + d.channel) + ': ' + t(d.ok ? 'notify.test.ok' : 'notify.test.failed') + (d.error ? ' (' + d.error + ')' : '')));
      }
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    }
  };
  const form = h('form', { class: 'card stack', 'aria-labelledby': 'notify-prefs-h' },
    h('h2', { id: 'notify-prefs-h' }, t('notify.prefs')),
    h('p', { class: 'hint' }, t('notify.prefs.hint')),
    h('label', { class: 'row' }, optOut, t('notify.optout')),
    field(t('notify.slack_user'), slackUser, t('notify.slack_user.hint')),
    field(t('notify.webhook'), webhook, t('notify.webhook.hint')),
    err,
    h('div', { class: 'row' },
      h('button', { class: 'btn btn-primary', type: 'submit', id: 'notify-save' }, t('notify.save')),
      h('button', { class: 'btn', type: 'button', onclick: () => save({ ...read(), slack_webhook_url: '' }) }, t('notify.webhook.clear')),
      h('button', { class: 'btn', type: 'button', id: 'notify-test', onclick: sendTest }, t('notify.test')),
      status),
    results);
  form.addEventListener('submit', (e) => { e.preventDefault(); save(read()); });
  return form;
}

async function calendarSection(ctx) {
  const box = h('section', { class: 'card stack', 'aria-labelledby': 'notify-cal-h', id: 'notify-calendar' });
  const draw = (feed, url) => {
    clear(box);
    const err = h('div');
    const act = (method) => async () => {
      clear(err);
      try {
        if (method === 'DELETE') {
          await api('DELETE', '/api/me/calendar');
          draw(null);
        } else {
          const r = await api('POST', '/api/me/calendar');
          draw(r.feed, r.url);
        }
      } catch (ex) {
        err.append(ctx.errorBox(ex));
      }
    };
    box.append(h('h2', { id: 'notify-cal-h' }, t('notify.calendar')), h('p', { class: 'hint' }, t('notify.calendar.hint')));
    if (url) {
      const out = h('input', { type: 'text', readonly: true, value: url, id: 'notify-calendar-url', onfocus: (e) => e.target.select() });
      box.append(field(t('notify.calendar.url'), out));
    }
    box.append(feed
      ? h('p', {}, t('notify.calendar.since') + ': ' + formatDate(feed.created_at, getLang(), true))
      : h('p', { class: 'muted' }, t('notify.calendar.none')));
    box.append(err, h('div', { class: 'row' },
      h('button', { class: 'btn btn-primary', type: 'button', id: 'notify-calendar-create', onclick: act('POST') }, t(feed ? 'notify.calendar.rotate' : 'notify.calendar.create')),
      feed ? h('button', { class: 'btn btn-danger', type: 'button', id: 'notify-calendar-revoke', onclick: act('DELETE') }, t('notify.calendar.revoke')) : null));
  };
  const { feed } = await api('GET', '/api/me/calendar');
  draw(feed);
  return box;
}

// orgNotificationsSection is the admins' part of #/org.
export async function orgNotificationsSection(ctx) {
  const s = await api('GET', '/api/org/notifications');
  const text = (id, value, type = 'text', extra = {}) => h('input', { type, id, value: value ?? '', autocomplete: 'off', ...extra });
  const secret = (id, isSet) => h('input', { type: 'password', id, autocomplete: 'new-password', placeholder: isSet ? t('notify.secret.set') : '' });
  const f = {
    public_url: text('notify-public-url', s.public_url, 'url'),
    slack_bot_token: secret('notify-bot-token', s.slack_bot_token_set),
    slack_signing_secret: secret('notify-signing-secret', s.slack_signing_secret_set),
    slack_team_id: text('notify-team-id', s.slack_team_id, 'text', { pattern: 'T[A-Z0-9]{2,30}' }),
    slack_api_url: text('notify-api-url', s.slack_api_url, 'url'),
    smtp_addr: text('notify-smtp-addr', s.smtp_addr),
    smtp_username: text('notify-smtp-user', s.smtp_username),
    smtp_password: secret('notify-smtp-password', s.smtp_password_set),
    smtp_from: text('notify-smtp-from', s.smtp_from),
    smtp_tls: h('select', { id: 'notify-smtp-tls' }, ['starttls', 'tls', 'none'].map((v) => h('option', { value: v, selected: v === s.smtp_tls }, v))),
    remind_before_min: text('notify-before', s.remind_before_min, 'number', { min: 5, max: 10080 }),
    remind_after_min: text('notify-after', s.remind_after_min, 'number', { min: 5, max: 10080 }),
  };
  const err = h('div');
  const status = h('p', { class: 'small muted', role: 'status', id: 'notify-org-status' });
  const form = h('form', { class: 'card stack', 'aria-labelledby': 'notify-org-h', id: 'notify-org' },
    h('h2', { id: 'notify-org-h' }, t('notify.org')),
    h('p', { class: 'hint' }, t('notify.org.hint')),
    field(t('notify.public_url'), f.public_url),
    field(t('notify.bot_token'), f.slack_bot_token),
    field(t('notify.team_id'), f.slack_team_id),
    field(t('notify.signing_secret'), f.slack_signing_secret),
    field(t('notify.api_url'), f.slack_api_url),
    field(t('notify.smtp_addr'), f.smtp_addr),
    field(t('notify.smtp_user'), f.smtp_username),
    field(t('notify.smtp_password'), f.smtp_password),
    field(t('notify.smtp_from'), f.smtp_from),
    field(t('notify.smtp_tls'), f.smtp_tls),
    h('div', { class: 'row' }, field(t('notify.before'), f.remind_before_min), field(t('notify.after'), f.remind_after_min)),
    err,
    h('div', { class: 'row' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'notify-org-save' }, t('notify.save')), status));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(err);
    status.textContent = '';
    const body = {};
    for (const [k, el] of Object.entries(f)) {
      if (el.type === 'password') {
        if (el.value) body[k] = el.value; // left empty: kept
      } else if (el.type === 'number') {
        body[k] = Number(el.value);
      } else {
        body[k] = el.value.trim();
      }
    }
    try {
      const r = await api('PUT', '/api/org/notifications', body);
      for (const [k, set] of [['slack_bot_token', r.slack_bot_token_set], ['slack_signing_secret', r.slack_signing_secret_set], ['smtp_password', r.smtp_password_set]]) {
        f[k].value = '';
        f[k].placeholder = set ? t('notify.secret.set') : '';
      }
      status.textContent = t('common.saved');
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    }
  });
  return form;
}
