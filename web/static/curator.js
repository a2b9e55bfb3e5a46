// curator.js: the curator's side of the knowledge base: the guidance list
// with filters and Markdown import, the editor (live preview, the chunks a
// body will be cut into, versions, publishing), "try a query" (also open to
// managers) and the content-gap report.
import { api, known } from './api.js';
import { h, clear, field, formatDate } from './dom.js';
import { t, addMessages } from './i18n.js';
import { renderMarkdown } from './markdown.js';

addMessages({
  ja: {
    'cur.list.title': 'ガイダンス',
    'cur.list.intro': 'コーチが1on1の準備や相談で参照するガイダンスです。検索に使われるのは公開中のものだけです。',
    'cur.new': '新しいガイダンスを書く',
    'cur.export.all': 'すべて書き出す（zip）',
    'cur.filter.label': 'ガイダンスの絞り込み',
    'cur.filter.q': 'キーワード',
    'cur.filter.q.hint': 'タイトル・本文・タグから探します。入力すると自動で絞り込みます。',
    'cur.filter.topic': 'トピック',
    'cur.filter.status': '状態',
    'cur.filter.language': '言語',
    'cur.filter.source': '作成元',
    'cur.filter.all': 'すべて',
    'cur.filter.run': '絞り込む',
    'cur.source.own': 'この組織で作成',
    'cur.source.starter': 'スターターパック',
    'cur.status.draft': '下書き',
    'cur.status.published': '公開中',
    'cur.status.archived': 'アーカイブ済み',
    'cur.lang.ja': '日本語',
    'cur.lang.en': '英語',
    'cur.col.title': 'タイトル',
    'cur.col.language': '言語',
    'cur.col.topics': 'トピック',
    'cur.col.status': '状態',
    'cur.col.version': '版',
    'cur.col.updated': '更新日',
    'cur.badge.starter': 'スターター',
    'cur.badge.hidden': '非表示',
    'cur.list.count': '{0}件中 {1}〜{2}件目を表示',
    'cur.list.empty': '条件に合うガイダンスはありません。',
    'cur.page.nav': 'ページ送り',
    'cur.page.prev': '前へ',
    'cur.page.next': '次へ',
    'cur.page.of': '{0} / {1} ページ',
    'cur.import.title': 'Markdownファイルを取り込む',
    'cur.import.hint': '先頭にYAMLのフロントマター（id、title、lang、topics、tags、status）があるMarkdownファイル（.md）か、それをまとめたzipを選んでください。同じ id（id がなければ同じファイル名、zipの中ならその中のパス）のファイルをもう一度取り込むと、同じガイダンスの新しい版になります。内容が同じなら何も変えません。問題のあるファイルは取り込まず、理由を表示します。',
    'cur.import.files': '取り込むファイル',
    'cur.import.run': '取り込む',
    'cur.import.running': '取り込み中…',
    'cur.import.none': 'ファイルを選んでください。',
    'cur.import.summary': '作成 {0}件、更新 {1}件、変更なし {2}件。取り込めなかったファイルは{3}件です。',
    'cur.import.created': '作成',
    'cur.import.updated': '更新',
    'cur.import.unchanged': '変更なし',
    'cur.import.version': '（第{0}版）',
    'cur.import.duplicate': '同じ id またはパス（{1}）のファイル {0} を先に取り込んだため、取り込みませんでした。ファイルごとに別の id を付けてください。',
    'cur.import.failed': 'エラー',
    'cur.import.bad': '取り込めませんでした。フロントマター（title、lang、topics）と本文を確かめてください。',
    'cur.back': 'ガイダンス一覧へ',
    'cur.doc.new': '新しいガイダンス',
    'cur.doc.form': 'ガイダンスの内容',
    'cur.doc.title': 'タイトル',
    'cur.doc.language': '言語',
    'cur.doc.topics': 'トピック（1つ以上）',
    'cur.doc.tags': 'タグ',
    'cur.doc.tags.hint': 'カンマ（,）か読点（、）で区切ります。例：新任マネージャー, リモート',
    'cur.doc.body': '本文（Markdown）',
    'cur.doc.body.hint': '「## 見出し」ごとに、検索に使うまとまり（チャンク）に分かれます。使える書式は、見出し・箇条書き・太字・斜体・コードです。',
    'cur.doc.preview': 'プレビュー',
    'cur.doc.preview.empty': '本文を入力すると、ここに表示されます。',
    'cur.doc.chunks': '検索用のまとまり（チャンク）',
    'cur.doc.chunks.hint': '保存すると、本文はこのように分けて検索の対象になります。',
    'cur.doc.chunks.count': '{0}個のチャンク',
    'cur.doc.chunks.nohead': '（見出しなし）',
    'cur.doc.version': '第{0}版',
    'cur.doc.updated': '更新：{0}',
    'cur.doc.statuscode': '（取り込み用ファイルでは status: {0}）',
    'cur.doc.status.draft': '下書きはコーチの検索に使われません。内容を確認したら「公開する」を押してください。',
    'cur.doc.status.published': '公開中です。コーチの検索に使われています。',
    'cur.doc.status.archived': 'アーカイブ済みです。残してありますが、検索には使われません。',
    'cur.doc.copied_from': 'スターターパックのガイダンスをコピーして作ったものです。',
    'cur.doc.original': '元のガイダンスを見る',
    'cur.doc.save': '保存',
    'cur.doc.publish': '公開する',
    'cur.import.flagged': 'モデルへの指示のように読める箇所があるため、下書きとして保存しました。確認してから公開してください。',
    'cur.doc.flagged': 'このガイダンスには、マネージャー向けではなく言語モデルに向けて書かれたように読める箇所があります。公開する前に確認してください。',
    'cur.doc.flagged.confirm': 'モデルへの指示のように読める箇所を確認しましたか？ 問題がなければ公開します。',
    'cur.doc.breaks.confirm': 'この変更で、検索テストでこれまで上位3件に正しいガイダンスが出ていた質問が出なくなります。\n\n{0}\n\nそれでも反映しますか？',
    'cur.doc.flag.instructions': 'モデルへの指示',
    'cur.doc.flag.template': 'チャット形式の制御記号',
    'cur.doc.flag.hidden': '見えない文字',
    'cur.doc.flag.stuffing': '検索語の過剰な繰り返し',
    'cur.doc.unpublish': '公開をやめる',
    'cur.doc.todraft': '下書きに戻す',
    'cur.doc.archive': 'アーカイブする',
    'cur.doc.delete': '削除',
    'cur.doc.export': 'Markdownで書き出す',
    'cur.doc.actions': '操作',
    'cur.doc.delete.confirm': '「{0}」を削除します。すべての版と検索用のデータも消え、元に戻せません。よろしいですか？',
    'cur.doc.deleted': '削除しました。',
    'cur.doc.done.publish': '公開しました。コーチの検索に使われます。',
    'cur.doc.done.unpublish': '下書きに戻しました。検索には使われません。',
    'cur.doc.done.archive': 'アーカイブしました。検索には使われません。',
    'cur.doc.need_topic': 'トピックを1つ以上選んでください。',
    'cur.doc.conflict': '保存できませんでした。この画面を開いた後に、ほかの人がこのガイダンスを更新しています。最新の内容を読み込んでから、もう一度変更してください。読み込むと、この画面での変更は消えます。必要なら先に本文をコピーしておいてください。',
    'cur.doc.reload': '最新の内容を読み込む',
    'cur.doc.unsaved': '保存していない変更があります。変更を破棄して続けますか？',
    'cur.starter.notice': 'これはスターターパックのガイダンスで、そのままでは編集できません。編集するには、組織にコピーしてください。コピーすると、元のガイダンスはこの組織では非表示になります。',
    'cur.starter.hidden': 'このガイダンスは、この組織では非表示にしています。コーチの検索には使われません。',
    'cur.starter.copy': 'コピーして編集する',
    'cur.starter.copied': 'コピーしました。下書きとして編集できます。',
    'cur.starter.hide': 'この組織で非表示にする',
    'cur.starter.unhide': '再び表示する',
    'cur.starter.done.hide': '非表示にしました。',
    'cur.starter.done.unhide': '表示に戻しました。',
    'cur.starter.tags': 'タグ：{0}',
    'cur.versions.title': '版の履歴',
    'cur.versions.col.version': '版',
    'cur.versions.col.date': '保存日時',
    'cur.versions.col.title': 'タイトル',
    'cur.versions.col.actions': '操作',
    'cur.versions.current': '現在の版',
    'cur.versions.view': '第{0}版を表示',
    'cur.versions.restore': '第{0}版に戻す',
    'cur.versions.restored': '第{0}版の内容を、第{1}版として保存しました。',
    'cur.versions.heading': '第{0}版（{1}）',
    'cur.versions.body': '第{0}版の本文（読み取り専用）',
    'cur.try.title': '検索を試す',
    'cur.try.intro': '公開中のガイダンスから、コーチが参照する箇所を検索します。検索方式ごとのスコアと順位も確認できます。',
    'cur.try.q': '質問やキーワード',
    'cur.try.q.hint': '例：挑戦を避けるメンバーにどう声をかければよいか',
    'cur.try.topic': 'トピック（任意）',
    'cur.try.language': '言語（任意）',
    'cur.try.k': '表示する件数',
    'cur.try.run': '検索',
    'cur.try.searching': '検索中…',
    'cur.try.results': '検索結果',
    'cur.try.count': '{0}件見つかりました。',
    'cur.try.none': '該当するガイダンスは見つかりませんでした（関連の弱いものは表示しません）。',
    'cur.try.gaps': 'ガイダンスで答えられなかった質問は「不足しているガイダンス」で確認できます。',
    'cur.try.retrievers': '使った検索方式：{0}',
    'cur.try.model': '埋め込みモデル：{0}',
    'cur.try.lexical_only': '意味の近さによる検索（埋め込み）は設定されていないため、語句の一致だけで検索しました。',
    'cur.try.approximate': 'ナレッジが大きく、この質問の語はよく使われるため、語句の一致は近似で探しました（候補は索引の近傍から取り、得点は正確に計算しています）。',
    'cur.try.dense_down': '埋め込みモデルが応答しないため、語句の一致だけで検索しました。モデルが戻れば自動で元に戻ります。',
    'cur.try.rank': '{0}位',
    'cur.try.heading': '見出し：{0}',
    'cur.try.less': '折りたたむ',
    'cur.try.thesaurus': '類義語辞書で質問に語を補う',
    'cur.try.expanded': '類義語辞書で補った語：{0}',
    'cur.try.via': '類義語辞書で一致：{0}',
    'cur.try.plain.rank': '類義語辞書なしでは{0}位',
    'cur.try.plain.none': '類義語辞書なしでは見つかりません',
    'cur.try.thesaurus.link': '類義語辞書を開く',
    'cur.retriever.lexical': '語句の一致（BM25）',
    'cur.retriever.dense': '意味の近さ（埋め込み）',
    'cur.score.caption': '「{0}」のスコアの内訳',
    'cur.score.method': '方式',
    'cur.score.value': 'スコア',
    'cur.score.rank': '順位',
    'cur.score.note': '補足',
    'cur.score.fused': '統合スコア（RRF）',
    'cur.score.coverage': '質問の語の網羅率 {0}%',
    'cur.gaps.title': '不足しているガイダンス',
    'cur.gaps.intro': 'マネージャーの質問のうち、ガイダンスで答えられなかったものです。個人情報は伏せ字にしてあり、誰が質問したかは記録していません。新しいガイダンスを書くときの参考にしてください。',
    'cur.gaps.days': '期間',
    'cur.gaps.days.n': '過去{0}日間',
    'cur.gaps.show': '表示',
    'cur.gaps.col.query': '質問',
    'cur.gaps.col.kind': '場面',
    'cur.gaps.col.language': '言語',
    'cur.gaps.col.count': '回数',
    'cur.gaps.col.last': '最後に聞かれた日時',
    'cur.gaps.empty': 'この期間に、ガイダンスで答えられなかった質問はありません。',
    'cur.kind.prep': '1on1の準備',
    'cur.kind.reflection': 'ふり返り',
    'cur.kind.chat': 'コーチへの相談',
  },
  en: {
    'cur.list.title': 'Guidance',
    'cur.list.intro': 'The guidance the coach draws on for 1on1 prep and conversations. Only published guidance is searched.',
    'cur.new': 'Write new guidance',
    'cur.export.all': 'Export all (zip)',
    'cur.filter.label': 'Filter guidance',
    'cur.filter.q': 'Keywords',
    'cur.filter.q.hint': 'Searches titles, bodies and tags. The list updates as you type.',
    'cur.filter.topic': 'Topic',
    'cur.filter.status': 'Status',
    'cur.filter.language': 'Language',
    'cur.filter.source': 'Source',
    'cur.filter.all': 'All',
    'cur.filter.run': 'Filter',
    'cur.source.own': 'Written here',
    'cur.source.starter': 'Starter pack',
    'cur.status.draft': 'Draft',
    'cur.status.published': 'Published',
    'cur.status.archived': 'Archived',
    'cur.lang.ja': 'Japanese',
    'cur.lang.en': 'English',
    'cur.col.title': 'Title',
    'cur.col.language': 'Language',
    'cur.col.topics': 'Topics',
    'cur.col.status': 'Status',
    'cur.col.version': 'Version',
    'cur.col.updated': 'Updated',
    'cur.badge.starter': 'Starter',
    'cur.badge.hidden': 'Hidden',
    'cur.list.count': 'Showing {1}–{2} of {0}',
    'cur.list.empty': 'No guidance matches these filters.',
    'cur.page.nav': 'Pages',
    'cur.page.prev': 'Previous',
    'cur.page.next': 'Next',
    'cur.page.of': 'Page {0} of {1}',
    'cur.import.title': 'Import Markdown files',
    'cur.import.hint': 'Choose Markdown files (.md) that start with YAML front matter (id, title, lang, topics, tags, status), or zips of them. A file imported again with the same id (without one, the same file name, or path inside the zip) becomes a new version of the same guidance, and changes nothing if its content is the same. Files with problems are skipped, with the reason.',
    'cur.import.files': 'Files to import',
    'cur.import.run': 'Import',
    'cur.import.running': 'Importing…',
    'cur.import.none': 'Choose one or more files first.',
    'cur.import.summary': '{0} created, {1} updated, {2} unchanged, {3} could not be imported.',
    'cur.import.created': 'Created',
    'cur.import.updated': 'Updated',
    'cur.import.unchanged': 'Unchanged',
    'cur.import.version': ' (version {0})',
    'cur.import.duplicate': 'Not imported: {0}, imported first, has the same id or path ({1}). Give each file its own id.',
    'cur.import.failed': 'Error',
    'cur.import.bad': 'Not imported. Check the front matter (title, lang, topics) and the body.',
    'cur.back': 'All guidance',
    'cur.doc.new': 'New guidance',
    'cur.doc.form': 'Guidance content',
    'cur.doc.title': 'Title',
    'cur.doc.language': 'Language',
    'cur.doc.topics': 'Topics (at least one)',
    'cur.doc.tags': 'Tags',
    'cur.doc.tags.hint': 'Separated by commas, e.g. new managers, remote',
    'cur.doc.body': 'Body (Markdown)',
    'cur.doc.body.hint': 'Each "## heading" starts a new passage (chunk) for search. Headings, lists, bold, italics and code are supported.',
    'cur.doc.preview': 'Preview',
    'cur.doc.preview.empty': 'The preview appears here as you write.',
    'cur.doc.chunks': 'Passages for search (chunks)',
    'cur.doc.chunks.hint': 'When saved, the body is split like this for search.',
    'cur.doc.chunks.count': '{0} chunk(s)',
    'cur.doc.chunks.nohead': '(no heading)',
    'cur.doc.version': 'Version {0}',
    'cur.doc.updated': 'Updated {0}',
    'cur.doc.statuscode': '(status: {0} in import files)',
    'cur.doc.status.draft': 'Drafts are not used by the coach. When it reads well, publish it.',
    'cur.doc.status.published': 'Published: the coach uses it.',
    'cur.doc.status.archived': 'Archived: kept, but not used by the coach.',
    'cur.doc.copied_from': 'Copied from the starter pack.',
    'cur.doc.original': 'See the original',
    'cur.doc.save': 'Save',
    'cur.doc.publish': 'Publish',
    'cur.import.flagged': 'Saved as a draft: parts read as instructions to the model. Check them, then publish.',
    'cur.doc.flagged': 'Parts of this guidance read as written for the language model rather than for managers. Check them before publishing.',
    'cur.doc.flagged.confirm': 'Did you check the parts that read as instructions to the model? If they are fine, it will be published.',
    'cur.doc.breaks.confirm': 'With this change, questions of the retrieval tests that found their guidance in the top 3 would not.\n\n{0}\n\nApply it anyway?',
    'cur.doc.flag.instructions': 'Instructions to the model',
    'cur.doc.flag.template': 'Chat-template control tokens',
    'cur.doc.flag.hidden': 'Invisible characters',
    'cur.doc.flag.stuffing': 'A search term repeated far too often',
    'cur.doc.unpublish': 'Unpublish',
    'cur.doc.todraft': 'Back to draft',
    'cur.doc.archive': 'Archive',
    'cur.doc.delete': 'Delete',
    'cur.doc.export': 'Export as Markdown',
    'cur.doc.actions': 'Actions',
    'cur.doc.delete.confirm': 'Delete "{0}" with all its versions and search data? This cannot be undone.',
    'cur.doc.deleted': 'Deleted.',
    'cur.doc.done.publish': 'Published. The coach will use it.',
    'cur.doc.done.unpublish': 'Back to draft. The coach will not use it.',
    'cur.doc.done.archive': 'Archived. The coach will not use it.',
    'cur.doc.need_topic': 'Choose at least one topic.',
    'cur.doc.conflict': 'Not saved: someone else changed this guidance after you opened it. Load the latest version, then make your change again. Loading discards your changes on this page, so copy the body first if you need it.',
    'cur.doc.reload': 'Load the latest version',
    'cur.doc.unsaved': 'You have unsaved changes. Discard them and continue?',
    'cur.starter.notice': 'This is starter-pack guidance and cannot be edited as it is. To edit it, copy it into your organization; the original is then hidden for your organization.',
    'cur.starter.hidden': 'Your organization has hidden this guidance. The coach does not use it.',
    'cur.starter.copy': 'Copy to edit',
    'cur.starter.copied': 'Copied. You can edit it as a draft.',
    'cur.starter.hide': 'Hide for my organization',
    'cur.starter.unhide': 'Show again',
    'cur.starter.done.hide': 'Hidden.',
    'cur.starter.done.unhide': 'Shown again.',
    'cur.starter.tags': 'Tags: {0}',
    'cur.versions.title': 'Version history',
    'cur.versions.col.version': 'Version',
    'cur.versions.col.date': 'Saved',
    'cur.versions.col.title': 'Title',
    'cur.versions.col.actions': 'Actions',
    'cur.versions.current': 'Current',
    'cur.versions.view': 'View version {0}',
    'cur.versions.restore': 'Restore version {0}',
    'cur.versions.restored': 'Version {0} saved again as version {1}.',
    'cur.versions.heading': 'Version {0} ({1})',
    'cur.versions.body': 'Body of version {0} (read-only)',
    'cur.try.title': 'Try a query',
    'cur.try.intro': 'Search published guidance the way the coach does, and see each retriever\'s score and rank.',
    'cur.try.q': 'Question or keywords',
    'cur.try.q.hint': 'e.g. how to encourage a member who avoids challenges',
    'cur.try.topic': 'Topic (optional)',
    'cur.try.language': 'Language (optional)',
    'cur.try.k': 'Results to show',
    'cur.try.run': 'Search',
    'cur.try.searching': 'Searching…',
    'cur.try.results': 'Results',
    'cur.try.count': '{0} result(s).',
    'cur.try.none': 'No guidance matched (weak matches are not shown).',
    'cur.try.gaps': 'Questions the guidance could not answer are listed under Missing guidance.',
    'cur.try.retrievers': 'Retrievers used: {0}',
    'cur.try.model': 'Embedding model: {0}',
    'cur.try.lexical_only': 'No embedding model is configured, so only word matching was used.',
    'cur.try.approximate': 'The knowledge base is large and these words are common in it, so word matching was approximate: candidates came from its nearest-neighbour index, and their scores are exact.',
    'cur.try.dense_down': 'The embedding model is not answering, so only word matching was used. Meaning-based search comes back by itself when the model does.',
    'cur.try.rank': '#{0}',
    'cur.try.heading': 'Heading: {0}',
    'cur.try.less': 'Show less',
    'cur.try.thesaurus': 'Expand the question with the thesaurus',
    'cur.try.expanded': 'The thesaurus added: {0}',
    'cur.try.via': 'Matched through the thesaurus: {0}',
    'cur.try.plain.rank': 'Without the thesaurus: rank {0}',
    'cur.try.plain.none': 'Not found without the thesaurus',
    'cur.try.thesaurus.link': 'Open the thesaurus',
    'cur.retriever.lexical': 'Word match (BM25)',
    'cur.retriever.dense': 'Meaning (embeddings)',
    'cur.score.caption': 'Scores for "{0}"',
    'cur.score.method': 'Retriever',
    'cur.score.value': 'Score',
    'cur.score.rank': 'Rank',
    'cur.score.note': 'Note',
    'cur.score.fused': 'Fused (RRF)',
    'cur.score.coverage': '{0}% of the query\'s words covered',
    'cur.gaps.title': 'Missing guidance',
    'cur.gaps.intro': 'Questions from managers that no guidance covered. Personal details are masked, and who asked is not recorded. Use them to decide what to write next.',
    'cur.gaps.days': 'Period',
    'cur.gaps.days.n': 'Last {0} days',
    'cur.gaps.show': 'Show',
    'cur.gaps.col.query': 'Question',
    'cur.gaps.col.kind': 'Where',
    'cur.gaps.col.language': 'Language',
    'cur.gaps.col.count': 'Times',
    'cur.gaps.col.last': 'Last asked',
    'cur.gaps.empty': 'No unanswered questions in this period.',
    'cur.kind.prep': '1on1 prep',
    'cur.kind.reflection': 'Reflection',
    'cur.kind.chat': 'Coach conversation',
  },
});

// ---- Shared helpers ------------------------------------------------------

const STATUSES = ['draft', 'published', 'archived'];
const LANGUAGES = ['ja', 'en'];

// The taxonomy is fixed on the server, so it is fetched once per page load
// (a failed fetch is retried next time).
let topicsPromise = null;
function loadTopics() {
  if (!topicsPromise) {
    topicsPromise = api('GET', '/api/kb/topics').then((r) => r.topics || []);
    topicsPromise.catch(() => { topicsPromise = null; });
  }
  return topicsPromise;
}

function topicLabel(tp, lang) {
  return lang === 'en' ? tp.en : tp.ja;
}

// topicNamer maps a slug to its label; unknown slugs show as they are.
function topicNamer(topics, lang) {
  const names = new Map(topics.map((tp) => [tp.slug, topicLabel(tp, lang)]));
  return (slug) => names.get(slug) || slug;
}

// topicNames resolves to a function from a topic's slug to its label.
export async function topicNames(lang) {
  return topicNamer(await loadTopics(), lang);
}

function langName(l) {
  return LANGUAGES.includes(l) ? t('cur.lang.' + l) : l || '—';
}

function statusBadge(status) {
  const cls = { published: 'badge ok', draft: 'badge warn' }[status] || 'badge';
  return h('span', { class: cls }, STATUSES.includes(status) ? t('cur.status.' + status) : status);
}

function topicBadges(slugs, name) {
  return (slugs || []).flatMap((s) => [h('span', { class: 'badge' }, name(s)), ' ']);
}

// select builds a <select> from [value, label] pairs.
function select(id, options, value) {
  return h('select', { id }, options.map(([v, label]) => h('option', { value: v, selected: String(v) === String(value) }, label)));
}

function debounce(fn, ms) {
  let timer;
  const d = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  d.cancel = () => clearTimeout(timer);
  return d;
}

// latestOnly guards against out-of-order answers: each call starts a
// request and returns a check that is true only while no newer request
// has started (typing fast must not let an old answer win).
function latestOnly() {
  let seq = 0;
  return () => {
    const n = ++seq;
    return () => n === seq;
  };
}

function isNull(v) {
  return v === null || v === undefined;
}

// chunkList shows chunks (from the preview or the store), numbered, each
// with its heading path.
function chunkList(chunks) {
  return h('div', {},
    h('p', { class: 'muted small' }, t('cur.doc.chunks.count', chunks.length)),
    h('ol', { class: 'chunks' }, chunks.map((c) => h('li', {},
      h('strong', { class: 'small' }, c.heading_path && c.heading_path.length ? c.heading_path.join(' › ') : t('cur.doc.chunks.nohead')),
      h('p', { class: 'quote small' }, c.text)))));
}

// ---- The guidance list ---------------------------------------------------

const PAGE_SIZE = 25;
// The filters are kept for the page's lifetime, so coming back from a
// document shows the list as it was left.
const listState = { q: '', topic: '', status: '', language: '', source: '', offset: 0 };

export async function guidanceListView(main, params, ctx) {
  const topics = await loadTopics();
  const name = topicNamer(topics, ctx.lang);
  const st = listState;

  const q = h('input', { type: 'search', id: 'doc-filter-q', value: st.q, autocomplete: 'off', maxlength: 200 });
  const all = ['', t('cur.filter.all')];
  const topic = select('doc-filter-topic', [all, ...topics.map((tp) => [tp.slug, topicLabel(tp, ctx.lang)])], st.topic);
  const status = select('doc-filter-status', [all, ...STATUSES.map((s) => [s, t('cur.status.' + s)])], st.status);
  const language = select('doc-filter-language', [all, ...LANGUAGES.map((l) => [l, langName(l)])], st.language);
  const source = select('doc-filter-source', [all, ['own', t('cur.source.own')], ['starter', t('cur.source.starter')]], st.source);
  const selects = [topic, status, language, source];

  const form = h('form', { class: 'card', role: 'search', 'aria-label': t('cur.filter.label') },
    h('div', { class: 'row' },
      h('div', { class: 'spacer' }, field(t('cur.filter.q'), q, t('cur.filter.q.hint'))),
      h('button', { class: 'btn', type: 'submit', id: 'doc-filter-run' }, t('cur.filter.run'))),
    h('div', { class: 'row' },
      field(t('cur.filter.topic'), topic),
      field(t('cur.filter.status'), status),
      field(t('cur.filter.language'), language),
      field(t('cur.filter.source'), source)));

  const count = h('p', { class: 'muted small', id: 'doc-count', role: 'status' });
  const err = h('div');
  const results = h('div', { id: 'doc-results' });
  const prev = h('button', { class: 'btn btn-small', type: 'button', id: 'doc-prev', disabled: true }, t('cur.page.prev'));
  const next = h('button', { class: 'btn btn-small', type: 'button', id: 'doc-next', disabled: true }, t('cur.page.next'));
  const pageOf = h('span', { class: 'muted small' });
  const pager = h('nav', { class: 'row', 'aria-label': t('cur.page.nav') }, prev, pageOf, next);

  const request = latestOnly();
  const load = async () => {
    const isCurrent = request();
    const qs = new URLSearchParams({ limit: PAGE_SIZE, offset: st.offset });
    for (const k of ['q', 'topic', 'status', 'language', 'source']) if (st[k]) qs.set(k, st[k]);
    clear(err);
    results.setAttribute('aria-busy', 'true');
    try {
      const page = await api('GET', '/api/kb/documents?' + qs);
      if (!isCurrent()) return;
      if (page.documents.length === 0 && page.total > 0 && st.offset > 0) {
        // Past the end (documents were deleted meanwhile): go to the last page.
        st.offset = Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE;
        await load();
        return;
      }
      showPage(page);
    } catch (ex) {
      if (isCurrent()) err.append(ctx.errorBox(ex));
    } finally {
      if (isCurrent()) results.removeAttribute('aria-busy');
    }
  };

  const showPage = (page) => {
    const { documents, total } = page;
    clear(results);
    if (documents.length === 0) {
      count.textContent = '';
      results.append(h('p', { class: 'muted' }, t('cur.list.empty')));
    } else {
      count.textContent = t('cur.list.count', total, st.offset + 1, st.offset + documents.length);
      results.append(docTable(documents, ctx, name));
    }
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    pageOf.textContent = t('cur.page.of', Math.floor(st.offset / PAGE_SIZE) + 1, pages);
    pager.hidden = pages <= 1;
    // Keep keyboard focus on the pager when the pressed button disables itself.
    const focused = document.activeElement;
    prev.disabled = st.offset === 0;
    next.disabled = st.offset + PAGE_SIZE >= total;
    if (focused === prev && prev.disabled && !next.disabled) next.focus();
    if (focused === next && next.disabled && !prev.disabled) prev.focus();
  };

  const applyFilters = () => {
    st.q = q.value.trim();
    [st.topic, st.status, st.language, st.source] = selects.map((s) => s.value);
    st.offset = 0;
    load();
  };
  const typed = debounce(() => {
    if (form.isConnected) applyFilters();
  }, 300);
  q.addEventListener('input', typed);
  for (const s of selects) s.addEventListener('change', applyFilters);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    typed.cancel();
    applyFilters();
  });
  prev.addEventListener('click', () => {
    st.offset = Math.max(0, st.offset - PAGE_SIZE);
    load();
  });
  next.addEventListener('click', () => {
    st.offset += PAGE_SIZE;
    load();
  });

  main.append(
    h('h1', {}, t('cur.list.title')),
    h('p', { class: 'muted' }, t('cur.list.intro')),
    h('p', { class: 'row' },
      h('button', { class: 'btn btn-primary', type: 'button', id: 'doc-new', onclick: () => ctx.navigate('/guidance/new') }, t('cur.new')),
      h('span', { class: 'spacer' }),
      h('a', { class: 'btn btn-small', href: '/api/kb/export', download: 'taiwa-guidance.zip' }, t('cur.export.all'))),
    form,
    h('section', { class: 'card stack', 'aria-label': t('cur.list.title') }, count, err, results, pager),
    importSection(ctx, load));
  await load();
}

function docTable(docs, ctx, name) {
  // Topics sit under the title: as a column of their own they squeeze the
  // short columns (Japanese text may break after any character).
  const cols = ['cur.col.title', 'cur.col.language', 'cur.col.status', 'cur.col.version', 'cur.col.updated'];
  return h('div', { class: 'scroll-x' }, h('table', { class: 'table', id: 'doc-table' },
    h('caption', { class: 'visually-hidden' }, t('cur.list.title')),
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c === 'cur.col.title' ? `${t(c)} / ${t('cur.col.topics')}` : t(c))))),
    h('tbody', {}, docs.map((d) => h('tr', {},
      h('th', { scope: 'row' },
        h('a', { href: `#/guidance/${d.id}` }, d.title),
        d.starter ? [' ', h('span', { class: 'badge accent' }, t('cur.badge.starter'))] : null,
        d.hidden ? [' ', h('span', { class: 'badge' }, t('cur.badge.hidden'))] : null,
        h('div', { class: 'small' }, topicBadges(d.topics, name))),
      h('td', {}, langName(d.language)),
      h('td', {}, statusBadge(d.status)),
      h('td', {}, String(d.version)),
      h('td', {}, formatDate(d.updated_at, ctx.lang)))))));
}

// importSection uploads Markdown files (or zips of them) and lists, per
// file, what went in and why the others did not.
function importSection(ctx, onImported) {
  const files = h('input', { type: 'file', id: 'import-files', multiple: true, accept: '.md,.zip' });
  const run = h('button', { class: 'btn', type: 'submit', id: 'import-run' }, t('cur.import.run'));
  const summary = h('p', { role: 'status', id: 'import-summary' });
  const list = h('ul', { id: 'import-results' });
  const err = h('div');
  const form = h('form', { class: 'card stack', 'aria-labelledby': 'import-h' },
    h('h2', { id: 'import-h' }, t('cur.import.title')),
    field(t('cur.import.files'), files, t('cur.import.hint')),
    h('div', { class: 'row' }, run),
    err, summary, list);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(err);
    if (files.files.length === 0) {
      err.append(ctx.errorBox({ message: t('cur.import.none') }));
      files.focus();
      return;
    }
    const body = new FormData();
    for (const f of files.files) body.append('files', f, f.name); // the API's field name is "files"
    run.disabled = true;
    clear(list);
    summary.textContent = t('cur.import.running');
    try {
      const r = await api('POST', '/api/kb/import', body);
      summary.textContent = t('cur.import.summary', r.created || 0, r.updated || 0, r.unchanged || 0, r.failed || 0);
      list.append(...(r.results || []).map((res) => h('li', { 'data-action': res.ok ? res.action : 'failed' },
        importBadge(res), ' ',
        h('strong', {}, res.name), ' — ',
        res.ok ? h('a', { href: `#/guidance/${res.document_id}` }, res.title || res.name) : importReason(res),
        res.ok && res.action === 'updated' ? t('cur.import.version', res.version) : null,
        res.warnings && res.warnings.length ? h('span', { class: 'badge warn' }, ' ', t('cur.import.flagged')) : null)));
      files.value = '';
      if (r.created || r.updated) onImported();
    } catch (ex) {
      summary.textContent = '';
      err.append(ctx.errorBox(ex));
    } finally {
      run.disabled = false;
    }
  });
  return form;
}

// importBadge says what the import did with a file: a new document, a new
// version of the one with the file's id or path, nothing (it already said
// the same), or an error.
function importBadge(res) {
  const [cls, key] = !res.ok ? ['badge danger', 'cur.import.failed']
    : res.action === 'updated' ? ['badge accent', 'cur.import.updated']
      : res.action === 'unchanged' ? ['badge', 'cur.import.unchanged']
        : ['badge ok', 'cur.import.created'];
  return h('span', { class: cls }, t(key));
}

// importReason says why a file was not imported: the API's reason as a
// sentence in the user's language, never its own words.
function importReason(res) {
  if (res.duplicate_of) return t('cur.import.duplicate', res.duplicate_of, res.key);
  const k = known(res.error);
  return k ? t(k[0], ...k[1]) : t('cur.import.bad');
}

// ---- The editor ----------------------------------------------------------

export async function guidanceEditView(main, params, ctx) {
  const id = params.id; // undefined on #/guidance/new
  const [topics, doc] = await Promise.all([loadTopics(), id ? api('GET', `/api/kb/documents/${id}`) : null]);
  const name = topicNamer(topics, ctx.lang);
  const reload = () => ctx.navigate(`/guidance/${id}`);

  main.append(
    h('p', {}, h('a', { href: '#/guidance' }, '← ', t('cur.back'))),
    h('h1', {}, doc ? doc.title : t('cur.doc.new')));
  if (doc) main.append(docMeta(doc, ctx));

  if (doc && doc.starter) {
    main.append(starterPanel(doc, ctx, name, reload));
    return;
  }

  // -- The form.
  const lang0 = doc ? doc.language : (ctx.me.org && ctx.me.org.language) || ctx.lang;
  const title = h('input', { type: 'text', id: 'doc-title', maxlength: 300, required: true, value: doc ? doc.title : '' });
  const language = select('doc-language', LANGUAGES.map((l) => [l, langName(l)]), lang0);
  const topicBoxes = topics.map((tp) => h('input', { type: 'checkbox', name: 'doc-topic', value: tp.slug, checked: !!doc && doc.topics.includes(tp.slug) }));
  const tags = h('input', { type: 'text', id: 'doc-tags', value: doc ? (doc.tags || []).join(', ') : '' });
  const body = h('textarea', { id: 'doc-body', class: 'editor', required: true, maxlength: 100000 }, doc ? doc.body : '');
  const preview = h('div', { id: 'doc-preview' });
  const chunks = h('div', { id: 'doc-chunks' });
  const err = h('div');

  const input = () => ({
    title: title.value.trim(),
    body: body.value,
    language: language.value,
    topics: topicBoxes.filter((b) => b.checked).map((b) => b.value),
    // Japanese writers often separate with 、 or a full-width comma.
    tags: tags.value.split(/[,、，]/).map((s) => s.trim()).filter(Boolean),
  });
  const savedState = JSON.stringify(input());
  const dirty = () => JSON.stringify(input()) !== savedState;

  // -- Live preview and the chunks the body will produce.
  const showPreview = () => {
    clear(preview).append(body.value.trim() ? renderMarkdown(body.value) : h('p', { class: 'muted' }, t('cur.doc.preview.empty')));
  };
  const chunkRequest = latestOnly();
  const showChunks = async () => {
    if (!chunks.isConnected) return;
    const isCurrent = chunkRequest();
    if (!body.value.trim()) {
      clear(chunks).append(h('p', { class: 'muted' }, t('cur.doc.preview.empty')));
      return;
    }
    chunks.setAttribute('aria-busy', 'true');
    try {
      const r = await api('POST', '/api/kb/chunk-preview', { body: body.value });
      if (isCurrent()) clear(chunks).append(chunkList(r.chunks || []));
    } catch (ex) {
      if (isCurrent()) clear(chunks).append(ctx.errorBox(ex));
    } finally {
      if (isCurrent()) chunks.removeAttribute('aria-busy');
    }
  };
  const previewSoon = debounce(showPreview, 150);
  const chunksSoon = debounce(showChunks, 400);
  // The editor grows with its text (within bounds), so it stays about as
  // tall as the preview beside it.
  const fitRows = () => {
    body.rows = Math.min(60, Math.max(20, body.value.split('\n').length + 2));
  };
  body.addEventListener('input', () => {
    fitRows();
    previewSoon();
    chunksSoon();
  });

  // -- Saving and status changes.
  const showError = (ex) => {
    clear(err);
    if (ex && ex.status === 409) {
      // Optimistic locking: someone saved a newer version meanwhile.
      err.append(h('div', { class: 'stack' },
        ctx.errorBox({ message: t('cur.doc.conflict') }),
        h('button', { class: 'btn btn-small', type: 'button', id: 'doc-reload', onclick: reload }, t('cur.doc.reload'))));
    } else {
      err.append(ctx.errorBox(ex));
    }
  };
  // save returns the saved document; it throws on invalid input or an API
  // error.
  const save = async () => {
    const inp = input();
    if (inp.topics.length === 0) {
      topicBoxes[0]?.focus();
      throw new Error(t('cur.doc.need_topic'));
    }
    if (!doc) return api('POST', '/api/kb/documents', inp);
    try {
      return await api('PUT', `/api/kb/documents/${id}`, { ...inp, if_version: doc.version });
    } catch (ex) {
      // The retrieval suite: questions that passed would fail.
      if (ex.code !== 'breaks_checks' || !confirm(t('cur.doc.breaks.confirm', ex.message))) throw ex;
      return api('PUT', `/api/kb/documents/${id}`, { ...inp, if_version: doc.version, confirm: true });
    }
  };

  const saveBtn = h('button', { class: 'btn btn-primary', type: 'submit', id: 'doc-save' }, t('cur.doc.save'));
  const form = h('form', { class: 'card stack', 'aria-label': t('cur.doc.form') },
    field(t('cur.doc.title'), title),
    h('div', { class: 'split' },
      field(t('cur.doc.language'), language),
      field(t('cur.doc.tags'), tags, t('cur.doc.tags.hint'))),
    h('fieldset', {}, h('legend', {}, t('cur.doc.topics')),
      h('div', { class: 'choices' }, topics.map((tp, i) => h('label', {}, topicBoxes[i], h('span', {}, topicLabel(tp, ctx.lang)))))),
    h('div', { class: 'split' },
      field(t('cur.doc.body'), body, t('cur.doc.body.hint')),
      h('section', { 'aria-labelledby': 'doc-preview-h' }, h('h2', { id: 'doc-preview-h' }, t('cur.doc.preview')), preview)),
    h('div', { class: 'row', role: 'group', 'aria-label': t('cur.doc.actions') }, saveBtn, ...(doc ? docActions() : [])),
    err);
  // The chunks get a card of their own below the form, so long documents
  // do not push the buttons far down.
  const chunkSection = h('section', { class: 'card stack', 'aria-labelledby': 'doc-chunks-h' },
    h('h2', { id: 'doc-chunks-h' }, t('cur.doc.chunks')),
    h('p', { class: 'hint' }, t('cur.doc.chunks.hint')),
    chunks);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(err);
    saveBtn.disabled = true;
    try {
      const d = await save();
      ctx.notify(t('common.saved'));
      ctx.navigate(`/guidance/${d.id}`); // re-renders with the new version and history
    } catch (ex) {
      showError(ex);
    } finally {
      saveBtn.disabled = false;
    }
  });

  // docActions are the buttons for a saved document: status changes,
  // export and delete.
  function docActions() {
    const setStatus = async (action, btn) => {
      clear(err);
      // What is on screen is what gets published: unsaved edits go first.
      if (dirty() && !form.reportValidity()) return;
      btn.disabled = true;
      try {
        if (dirty()) await save();
        try {
          await api('POST', `/api/kb/documents/${id}/${action}`);
        } catch (ex) {
          // Flagged text, or questions of the retrieval suite that would
          // fail: go on only if the curator confirms.
          const ask = ex.code === 'needs_confirmation' ? t('cur.doc.flagged.confirm')
            : ex.code === 'breaks_checks' ? t('cur.doc.breaks.confirm', ex.message) : '';
          if (!ask || !confirm(ask)) throw ex;
          await api('POST', `/api/kb/documents/${id}/${action}`, { confirm: true });
        }
        ctx.notify(t('cur.doc.done.' + action));
        reload();
      } catch (ex) {
        showError(ex);
        btn.disabled = false;
      }
    };
    const statusButton = (action, elId, label) => {
      const btn = h('button', { class: 'btn', type: 'button', id: elId }, label);
      btn.addEventListener('click', () => setStatus(action, btn));
      return btn;
    };
    const del = async () => {
      if (!confirm(t('cur.doc.delete.confirm', doc.title))) return;
      clear(err);
      try {
        await api('DELETE', `/api/kb/documents/${id}`);
        ctx.notify(t('cur.doc.deleted'));
        ctx.navigate('/guidance');
      } catch (ex) {
        showError(ex);
      }
    };
    return [
      doc.status !== 'published' ? statusButton('publish', 'doc-publish', t('cur.doc.publish')) : null,
      doc.status !== 'draft' ? statusButton('unpublish', 'doc-unpublish', t(doc.status === 'published' ? 'cur.doc.unpublish' : 'cur.doc.todraft')) : null,
      doc.status !== 'archived' ? statusButton('archive', 'doc-archive', t('cur.doc.archive')) : null,
      h('span', { class: 'spacer' }),
      h('a', { class: 'btn btn-small', href: `/api/kb/documents/${id}/export`, download: `${id}.md` }, t('cur.doc.export')),
      h('button', { class: 'btn btn-small btn-danger', type: 'button', id: 'doc-delete', onclick: del }, t('cur.doc.delete')),
    ];
  }

  if (doc && doc.warnings && doc.warnings.length) {
    main.append(h('div', { class: 'notice', id: 'doc-warnings', role: 'alert' },
      h('p', {}, t('cur.doc.flagged')),
      h('ul', {}, doc.warnings.map((w) => h('li', {}, t('cur.doc.flag.' + w.code), ': ', h('q', {}, w.excerpt))))));
  }
  if (doc && doc.copied_from) {
    main.append(h('p', { class: 'small muted' }, t('cur.doc.copied_from'), ' ', h('a', { href: `#/guidance/${doc.copied_from}` }, t('cur.doc.original'))));
  }
  main.append(form, chunkSection);
  if (doc) main.append(versionsSection(doc, ctx, { editable: true, dirty, reload }));
  fitRows();
  showPreview();
  showChunks();
  if (!doc) title.focus();
}

// docMeta is the line under the title: status, version, when, and what
// the status means for the coach.
function docMeta(d, ctx) {
  return h('div', { class: 'stack', id: 'doc-meta' },
    h('p', { class: 'row' },
      statusBadge(d.status),
      h('span', {}, t('cur.doc.version', d.version)),
      d.starter ? h('span', { class: 'badge accent' }, t('cur.badge.starter')) : null,
      d.hidden ? h('span', { class: 'badge' }, t('cur.badge.hidden')) : null,
      h('span', { class: 'muted small' }, t('cur.doc.updated', formatDate(d.updated_at, ctx.lang, true))),
      h('span', { class: 'muted small' }, t('cur.doc.statuscode', d.status))),
    d.starter ? null : h('p', { class: 'muted small' }, t('cur.doc.status.' + d.status)));
}

// starterPanel shows a read-only starter-pack document: copy it to edit,
// or hide it for the organization.
function starterPanel(doc, ctx, name, reload) {
  const err = h('div');
  const act = async (action, btn) => {
    clear(err);
    btn.disabled = true;
    try {
      const d = await api('POST', `/api/kb/documents/${doc.id}/${action}`);
      if (action === 'copy') {
        ctx.notify(t('cur.starter.copied'));
        ctx.navigate(`/guidance/${d.id}`);
      } else {
        ctx.notify(t('cur.starter.done.' + action));
        reload();
      }
    } catch (ex) {
      err.append(ctx.errorBox(ex));
      btn.disabled = false;
    }
  };
  const button = (action, elId, label, cls) => {
    const btn = h('button', { class: cls, type: 'button', id: elId }, label);
    btn.addEventListener('click', () => act(action, btn));
    return btn;
  };
  const chunks = h('div', { id: 'doc-chunks' }, h('p', { class: 'muted' }, t('common.loading')));
  (async () => {
    try {
      const r = await api('GET', `/api/kb/documents/${doc.id}/chunks`);
      clear(chunks).append(chunkList(r.chunks || []));
    } catch (ex) {
      clear(chunks).append(ctx.errorBox(ex));
    }
  })();
  return h('div', {},
    h('div', { class: 'notice stack' },
      h('p', {}, t('cur.starter.notice')),
      doc.hidden ? h('p', {}, t('cur.starter.hidden')) : null,
      h('div', { class: 'row' },
        button('copy', 'doc-copy', t('cur.starter.copy'), 'btn btn-primary'),
        doc.hidden
          ? button('unhide', 'doc-unhide', t('cur.starter.unhide'), 'btn')
          : button('hide', 'doc-hide', t('cur.starter.hide'), 'btn')),
      err),
    h('div', { class: 'card stack' },
      h('p', { class: 'row' }, langName(doc.language), topicBadges(doc.topics, name)),
      doc.tags && doc.tags.length ? h('p', { class: 'small muted' }, t('cur.starter.tags', doc.tags.join(', '))) : null,
      h('div', { id: 'doc-preview' }, renderMarkdown(doc.body || ''))),
    h('section', { class: 'card', 'aria-labelledby': 'doc-chunks-h' },
      h('h2', { id: 'doc-chunks-h' }, t('cur.doc.chunks')),
      chunks));
}

// versionsSection lists a document's versions; each can be viewed (body
// read-only) and, for editable documents, restored as the newest version.
function versionsSection(doc, ctx, { editable, dirty, reload }) {
  const slot = h('div', {}, h('p', { class: 'muted' }, t('common.loading')));
  const err = h('div');
  const viewer = h('div', { id: 'doc-version-view' });
  const viewButtons = [];

  const closeViewer = () => {
    clear(viewer);
    for (const b of viewButtons) b.setAttribute('aria-expanded', 'false');
  };
  const view = async (v, btn) => {
    clear(err);
    if (btn.getAttribute('aria-expanded') === 'true') {
      closeViewer();
      return;
    }
    try {
      const full = await api('GET', `/api/kb/documents/${doc.id}/versions/${v.version}`);
      closeViewer();
      btn.setAttribute('aria-expanded', 'true');
      const text = h('textarea', { id: 'doc-version-body', readonly: true, rows: 14 }, full.body || '');
      viewer.append(h('div', { class: 'notice stack' },
        h('h3', {}, t('cur.versions.heading', v.version, formatDate(v.created_at, ctx.lang, true))),
        h('p', {}, h('strong', {}, t('cur.doc.title')), ': ', full.title),
        field(t('cur.versions.body', v.version), text),
        h('div', { class: 'row' }, h('button', { class: 'btn btn-small', type: 'button', onclick: () => { closeViewer(); btn.focus(); } }, t('common.close')))));
      text.focus();
    } catch (ex) {
      err.append(ctx.errorBox(ex));
    }
  };
  const restore = async (v, btn) => {
    if (dirty() && !confirm(t('cur.doc.unsaved'))) return;
    clear(err);
    btn.disabled = true;
    try {
      const d = await api('POST', `/api/kb/documents/${doc.id}/versions/${v.version}/restore`);
      ctx.notify(t('cur.versions.restored', v.version, d.version));
      reload();
    } catch (ex) {
      err.append(ctx.errorBox(ex));
      btn.disabled = false;
    }
  };

  const row = (v) => {
    const current = v.version === doc.version;
    const viewBtn = h('button', { class: 'btn btn-small', type: 'button', id: `view-${v.version}`, 'aria-expanded': 'false', 'aria-controls': 'doc-version-view' },
      t('cur.versions.view', v.version));
    viewBtn.addEventListener('click', () => view(v, viewBtn));
    viewButtons.push(viewBtn);
    let restoreBtn = null;
    if (editable && !current) {
      restoreBtn = h('button', { class: 'btn btn-small', type: 'button', id: `restore-${v.version}` }, t('cur.versions.restore', v.version));
      restoreBtn.addEventListener('click', () => restore(v, restoreBtn));
    }
    return h('tr', {},
      h('th', { scope: 'row' }, t('cur.doc.version', v.version), current ? [' ', h('span', { class: 'badge accent' }, t('cur.versions.current'))] : null),
      h('td', {}, formatDate(v.created_at, ctx.lang, true)),
      h('td', {}, v.title),
      h('td', {}, statusBadge(v.status)),
      h('td', {}, h('div', { class: 'row' }, viewBtn, restoreBtn)));
  };

  (async () => {
    try {
      const r = await api('GET', `/api/kb/documents/${doc.id}/versions`);
      // Status changes save a version too, so the status says why a row exists.
      const cols = ['cur.versions.col.version', 'cur.versions.col.date', 'cur.versions.col.title', 'cur.col.status', 'cur.versions.col.actions'];
      clear(slot).append(h('div', { class: 'scroll-x' }, h('table', { class: 'table', id: 'doc-versions' },
        h('caption', { class: 'visually-hidden' }, t('cur.versions.title')),
        h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, t(c))))),
        h('tbody', {}, (r.versions || []).map(row)))));
    } catch (ex) {
      clear(slot).append(ctx.errorBox(ex));
    }
  })();

  return h('section', { class: 'card stack', 'aria-labelledby': 'doc-versions-h' },
    h('h2', { id: 'doc-versions-h' }, t('cur.versions.title')),
    slot, err, viewer);
}

// ---- Try a query ---------------------------------------------------------

const CLIP = 180; // characters of a hit's text shown before "show more"

export async function tryQueryView(main, params, ctx) {
  const topics = await loadTopics();
  const name = topicNamer(topics, ctx.lang);
  // Managers may search but not open the editor, so titles link only for curators.
  const canEdit = ['curator', 'admin'].includes(ctx.me.user.role);

  const q = h('input', { type: 'search', id: 'try-q', required: true, maxlength: 1000, autocomplete: 'off' });
  const all = ['', t('cur.filter.all')];
  const topic = select('try-topic', [all, ...topics.map((tp) => [tp.slug, topicLabel(tp, ctx.lang)])], '');
  const language = select('try-language', [all, ...LANGUAGES.map((l) => [l, langName(l)])], '');
  const k = h('input', { type: 'number', id: 'try-k', min: 1, max: 50, value: 5, required: true });
  const expand = h('input', { type: 'checkbox', id: 'try-thesaurus', checked: true });
  const run = h('button', { class: 'btn btn-primary', type: 'submit', id: 'try-run' }, t('cur.try.run'));
  const out = h('div', { id: 'try-results', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', role: 'search', 'aria-label': t('cur.try.title') },
    field(t('cur.try.q'), q, t('cur.try.q.hint')),
    h('div', { class: 'row' },
      field(t('cur.try.topic'), topic),
      field(t('cur.try.language'), language),
      field(t('cur.try.k'), k)),
    h('label', { class: 'row' }, expand, t('cur.try.thesaurus')),
    h('div', { class: 'row' }, run));

  const request = latestOnly();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const isCurrent = request();
    const body = { query: q.value.trim(), k: Math.min(50, Math.max(1, parseInt(k.value, 10) || 5)) };
    if (language.value) body.language = language.value;
    if (topic.value) body.topics = [topic.value];
    clear(out).append(h('p', { class: 'muted' }, t('cur.try.searching')));
    out.setAttribute('aria-busy', 'true');
    try {
      // With the thesaurus on, the same search without it too, so that
      // each hit says what the thesaurus changed.
      const [res, plain] = await Promise.all([
        api('POST', '/api/kb/search', expand.checked ? body : { ...body, thesaurus: false }),
        expand.checked ? api('POST', '/api/kb/search', { ...body, thesaurus: false }) : null]);
      if (isCurrent()) clear(out).append(searchResults(res, plain, ctx, name, canEdit));
    } catch (ex) {
      if (isCurrent()) clear(out).append(ctx.errorBox(ex));
    } finally {
      if (isCurrent()) out.setAttribute('aria-busy', 'false');
    }
  });

  main.append(
    h('h1', {}, t('cur.try.title')),
    h('p', { class: 'muted' }, t('cur.try.intro')),
    form, out);
  q.focus();
}

// searchResults shows a search's hits; plain, when given, is the same
// search without the thesaurus, for each hit's rank there.
function searchResults(res, plain, ctx, name, canEdit) {
  const retrievers = res.retrievers || [];
  const hits = res.hits || [];
  const sep = ctx.lang === 'en' ? ', ' : '、';
  const expansions = res.expansions || [];
  const added = expansions.map((e) => `${e.from.join(' / ')} → ${e.to} (×${Number(e.share).toFixed(2)})`).join(sep);
  const plainRank = new Map(((plain && plain.hits) || []).map((hit, i) => [hit.chunk_id, i + 1]));
  const about = h('div', { class: 'small muted' },
    added ? h('p', { id: 'try-expansions' }, t('cur.try.expanded', added), ' ',
      canEdit ? h('a', { href: '#/thesaurus' }, t('cur.try.thesaurus.link')) : null) : null,
    h('p', {}, t('cur.try.retrievers', retrievers.map((r) => t('cur.retriever.' + r)).join(sep) || '—')),
    res.model ? h('p', {}, t('cur.try.model', res.model)) : null,
    res.approximate ? h('p', { id: 'try-approximate' }, t('cur.try.approximate')) : null,
    res.degraded === 'dense' ? h('p', { class: 'notice' }, t('cur.try.dense_down'))
      : retrievers.includes('dense') ? null : h('p', {}, t('cur.try.lexical_only')));
  if (hits.length === 0) {
    return h('div', { class: 'stack' },
      h('p', { class: 'notice', id: 'try-empty' }, t('cur.try.none')),
      canEdit ? h('p', {}, h('a', { href: '#/gaps' }, t('cur.try.gaps'))) : null,
      about);
  }
  return h('div', { class: 'stack' },
    h('h2', {}, t('cur.try.results')),
    h('p', {}, t('cur.try.count', hits.length)),
    about,
    hits.map((hit, i) => hitCard(hit, i + 1, name, canEdit, plain && expansions.length ? plainRank.get(hit.chunk_id) || 0 : null)));
}

// hitCard shows one hit; plainRank (when not null) is its rank without
// the thesaurus, 0 when that search did not find it.
function hitCard(hit, rank, name, canEdit, plainRank) {
  const title = canEdit ? h('a', { href: `#/guidance/${hit.document_id}` }, hit.title) : h('span', {}, hit.title);
  const path = hit.heading_path || [];
  return h('article', { class: 'card stack try-hit', 'aria-label': `${t('cur.try.rank', rank)} ${hit.title}` },
    h('h3', { class: 'row' },
      h('span', { class: 'badge accent' }, t('cur.try.rank', rank)),
      title,
      hit.starter ? h('span', { class: 'badge' }, t('cur.badge.starter')) : null),
    path.length ? h('p', { class: 'small muted' }, t('cur.try.heading', path.join(' › '))) : null,
    clippedText(hit.text || '', `try-text-${rank}`),
    h('p', { class: 'small' }, langName(hit.language), ' ', topicBadges(hit.topics, name)),
    hit.expanded && hit.expanded.length ? h('p', { class: 'small try-via' }, t('cur.try.via', hit.expanded.join(', '))) : null,
    isNull(plainRank) || plainRank === rank ? null
      : h('p', { class: 'small muted try-plain' }, plainRank ? t('cur.try.plain.rank', plainRank) : t('cur.try.plain.none')),
    scoreTable(hit, rank));
}

// clippedText shows the start of a long text with a toggle for the rest.
function clippedText(text, id) {
  const chars = Array.from(text); // by code point, so no character is cut in half
  if (chars.length <= CLIP) return h('p', { class: 'quote' }, text);
  const short = chars.slice(0, CLIP).join('') + '…';
  const p = h('p', { class: 'quote', id }, short);
  const btn = h('button', { class: 'btn btn-small', type: 'button', 'aria-expanded': 'false', 'aria-controls': id }, t('common.more'));
  btn.addEventListener('click', () => {
    const open = btn.getAttribute('aria-expanded') !== 'true';
    p.textContent = open ? text : short;
    btn.textContent = open ? t('cur.try.less') : t('common.more');
    btn.setAttribute('aria-expanded', String(open));
  });
  return h('div', {}, p, btn);
}

// scoreTable shows each retriever's view of a hit; "—" where a retriever
// did not find it (or did not run).
function scoreTable(hit, rank) {
  const num = (v, digits) => (isNull(v) ? '—' : Number(v).toFixed(digits));
  const place = (r) => (isNull(r) ? '—' : t('cur.try.rank', r));
  const rows = [
    [t('cur.score.fused'), num(hit.score, 4), place(rank), '—'],
    [t('cur.retriever.lexical'), num(hit.lexical, 3), place(hit.lexical_rank),
      isNull(hit.coverage) ? '—' : t('cur.score.coverage', Math.round(hit.coverage * 100))],
    [t('cur.retriever.dense'), num(hit.dense, 3), place(hit.dense_rank), '—'],
  ];
  const cols = ['cur.score.method', 'cur.score.value', 'cur.score.rank', 'cur.score.note'];
  return h('div', { class: 'scroll-x' }, h('table', { class: 'table score' },
    h('caption', { class: 'visually-hidden' }, t('cur.score.caption', hit.title)),
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, t(c))))),
    h('tbody', {}, rows.map(([label, ...cells]) => h('tr', {}, h('th', { scope: 'row' }, label), cells.map((c) => h('td', {}, c)))))));
}

// ---- Content gaps --------------------------------------------------------

let gapsDays = 30; // kept while the page is open

export async function gapsView(main, params, ctx) {
  const days = select('gaps-days', [7, 30, 90].map((n) => [n, t('cur.gaps.days.n', n)]), gapsDays);
  const out = h('div', { id: 'gaps' });
  const form = h('form', { class: 'card row' },
    field(t('cur.gaps.days'), days),
    h('button', { class: 'btn', type: 'submit', id: 'gaps-run' }, t('cur.gaps.show')));

  const request = latestOnly();
  const load = async () => {
    const isCurrent = request();
    gapsDays = parseInt(days.value, 10);
    out.setAttribute('aria-busy', 'true');
    try {
      const r = await api('GET', `/api/kb/gaps?days=${gapsDays}`);
      if (isCurrent()) clear(out).append(gapsTable(r.gaps || [], ctx));
    } catch (ex) {
      if (isCurrent()) clear(out).append(ctx.errorBox(ex));
    } finally {
      if (isCurrent()) out.setAttribute('aria-busy', 'false');
    }
  };
  days.addEventListener('change', load);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });

  main.append(
    h('h1', {}, t('cur.gaps.title')),
    h('p', { class: 'muted' }, t('cur.gaps.intro')),
    h('p', { class: 'row' }, h('a', { class: 'btn btn-small', href: '#/guidance/new' }, t('cur.new'))),
    form, out);
  await load();
}

function gapsTable(gaps, ctx) {
  if (gaps.length === 0) return h('p', { class: 'muted', id: 'gaps-empty' }, t('cur.gaps.empty'));
  const cols = ['cur.gaps.col.query', 'cur.gaps.col.kind', 'cur.gaps.col.language', 'cur.gaps.col.count', 'cur.gaps.col.last'];
  const kind = (k) => (['prep', 'reflection', 'chat'].includes(k) ? t('cur.kind.' + k) : k);
  return h('div', { class: 'scroll-x' }, h('table', { class: 'table', id: 'gaps-table' },
    h('caption', { class: 'visually-hidden' }, t('cur.gaps.title')),
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, t(c))))),
    h('tbody', {}, gaps.map((g) => h('tr', {},
      h('td', {}, g.query),
      h('td', {}, kind(g.kind)),
      h('td', {}, langName(g.language)),
      h('td', {}, String(g.count)),
      h('td', {}, formatDate(g.last, ctx.lang, true)))))));
}
