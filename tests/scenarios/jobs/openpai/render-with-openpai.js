const fs = require('fs');
const path = require('path');
const protocol = require('@pai/middlewares/v2/protocol');
const root = process.argv[2];
for (const c of fs.readdirSync(root).sort()) {
  const text = fs.readFileSync(path.join(root, c, 'job.yaml'), 'utf8');
  let out;
  try {
    const obj = protocol.render(protocol.validate(text));
    const eps = {};
    for (const r of Object.keys(obj.taskRoles)) eps[r] = obj.taskRoles[r].entrypoint;
    out = { accepted: true, entrypoints: eps };
  } catch (e) {
    out = { accepted: false, error: String(e.message).slice(0, 300) };
  }
  fs.writeFileSync(path.join(root, c, 'openpai.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(c, out.accepted);
}
