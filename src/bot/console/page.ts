/** A directory user the console may speak as. */
export interface ConsoleUser { platform: string; userId: string; name: string; department: string; role: string }
/** A bound chat offered in the chat field. */
export interface ConsoleChat { platform: string; chatId: string; ledgerId: string }

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const ROLE_CN: Record<string, string> = { office: '整改办', leader: '责任领导', owner: '责任人', supervisor: '纪检', viewer: '成员' };
const PLATFORM_CN: Record<string, string> = { console: '控制台', dingtalk: '钉钉', wecom: '企业微信' };
const DEMO_OPTIONS = `<option value="owner">责任人 owner</option><option value="leader">责任领导 leader</option>
<option value="office">整改办 office</option><option value="supervisor">纪检 supervisor</option><option value="viewer">成员 viewer</option>`;

/** The identity menu: every directory user, by platform (the demo's five when the directory is empty). */
function userOptions(users: ConsoleUser[]): string {
  if (!users.length) return DEMO_OPTIONS;
  const platforms = [...new Set(users.map((u) => u.platform))];
  return platforms.map((p) => `<optgroup label="${esc(PLATFORM_CN[p] ?? p)}">${users.filter((u) => u.platform === p).map((u) =>
    `<option value="${esc(u.userId)}" data-platform="${esc(u.platform)}"${u.platform === 'console' && u.userId === 'owner' ? ' selected' : ''}>${esc(u.name)}（${esc([u.department, ROLE_CN[u.role] ?? u.role].filter(Boolean).join('，'))}）</option>`).join('')}</optgroup>`).join('');
}

/**
 * The console chat page (no build step, no external assets). `token` is this
 * start's console token (base64url, so safe inside an attribute); the page
 * sends it with every POST. `users` fill the identity menu (a user of any
 * platform speaks with that platform's ids; pick one of its chats), `chats`
 * the chat field's suggestions.
 */
export const consolePage = (token: string, o: { users?: ConsoleUser[]; chats?: ConsoleChat[] } = {}): string => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="console-token" content="${token}"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>整改督办机器人 · 本地控制台</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f2f3f5;color:#1f2329}
header{background:#1677ff;color:#fff;padding:10px 16px;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
header h1{font-size:16px;margin:0 12px 0 0}
header label{font-size:13px}
select,input{font-size:14px;padding:4px 6px;border-radius:4px;border:1px solid #c9cdd4}
#log{max-width:820px;margin:0 auto;padding:16px 12px 96px}
.msg{margin:10px 0;display:flex}
.me{justify-content:flex-end}
.bubble{max-width:80%;padding:8px 12px;border-radius:8px;background:#fff;white-space:normal;line-height:1.6;box-shadow:0 1px 2px #0001}
.me .bubble{background:#95ec69}
.bubble h3{font-size:15px;margin:0 0 4px}
.bubble ul{margin:4px 0;padding-left:18px}
form{position:fixed;bottom:0;left:0;right:0;background:#fff;border-top:1px solid #ddd;padding:10px;display:flex;gap:8px;justify-content:center}
form input{flex:1;max-width:700px}
button{background:#1677ff;color:#fff;border:0;border-radius:4px;padding:6px 16px;font-size:14px}
</style></head><body>
<header><h1>整改督办机器人 · 本地控制台</h1>
<label>身份 <select id="as">${userOptions(o.users ?? [])}</select></label>
<label>群 <input id="chat" value="demo" size="10" list="chats"></label><datalist id="chats">${(o.chats ?? []).map((c) => `<option value="${esc(c.chatId)}">${esc(`${PLATFORM_CN[c.platform] ?? c.platform} · ${c.ledgerId}`)}</option>`).join('')}</datalist></header>
<div id="log"></div>
<form id="f"><input id="t" autocomplete="off" placeholder="输入：进度、逾期、我的、查看 二.1、帮助"><button>发送</button></form>
<script>
const esc=(s)=>s.replace(/[&<>"']/g,(c)=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
function md(src){let out='',inList=false;for(const raw of src.split('\\n')){let l=esc(raw).replace(/\\*\\*(.+?)\\*\\*/g,'<b>$1</b>');
if(l.startsWith('- ')){if(!inList){out+='<ul>';inList=true}out+='<li>'+l.slice(2)+'</li>';continue}
if(inList){out+='</ul>';inList=false}
if(l.startsWith('### '))out+='<h3>'+l.slice(4)+'</h3>';else if(l==='')out+='<br>';else out+='<div>'+l+'</div>'}
if(inList)out+='</ul>';return out}
function add(who,html){const d=document.createElement('div');d.className='msg '+who;d.innerHTML='<div class="bubble">'+html+'</div>';
const log=document.getElementById('log');log.appendChild(d);window.scrollTo(0,document.body.scrollHeight)}
document.getElementById('f').addEventListener('submit',async(e)=>{e.preventDefault();const t=document.getElementById('t');const text=t.value.trim();if(!text)return;t.value='';
add('me',esc(text));const r=await fetch('/console/api/say',{method:'POST',headers:{'content-type':'application/json','x-console-token':document.querySelector('meta[name=console-token]').content},
body:JSON.stringify({as:document.getElementById('as').value,platform:document.getElementById('as').selectedOptions[0]?.dataset.platform||'console',chat:document.getElementById('chat').value,text})});
if(!r.ok){add('bot','请求失败（'+r.status+'）');return}const j=await r.json();if(!j.reply)return;let h=md(j.reply.markdown);
const l=j.reply.link;if(l&&/^https?:\\/\\//.test(l.url))h+='<p><a target="_blank" rel="noopener noreferrer" href="'+esc(l.url)+'">'+esc(l.title)+'</a></p>';add('bot',h)});
</script></body></html>`;
